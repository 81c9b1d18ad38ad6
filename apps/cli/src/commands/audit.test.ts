import { printed } from '../testing/printed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditService, type Database } from '@veritas/server';
import { main } from '../main';
import { withData as withEmbeddedData } from '../testing/with-data';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-audit-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const withData = <T>(work: (database: Database) => Promise<T>) => withEmbeddedData(dir, work);

/** Runs `veritas …` and returns its exit code and what it printed. */
async function veritas(...argv: string[]) {
  return printed(() => main(argv));
}

const record = (tenantId: string | null, action: string) => ({
  tenantId,
  actor: { kind: 'anonymous' as const },
  action,
  resource: { type: 'test', id: null },
  context: { ip: null, requestId: null },
});

describe('veritas audit verify', () => {
  it('prints a line per chain and exits 0 while every chain holds; 1 with the first broken entry once a row is altered', async () => {
    expect(await veritas('audit', 'verify', '--data', dir)).toMatchObject({ code: 0, lines: expect.arrayContaining(['no audit entries yet']) });
    await withData(async (database) => {
      const audit = createAuditService(database);
      for (let i = 0; i < 3; i++) await audit.record(record('tenant-a', `thing.${i}`));
      await audit.record(record(null, 'session.create'));
    });
    const sound = await veritas('audit', 'verify', '--data', dir);
    expect(sound.code).toBe(0);
    expect(sound.lines).toEqual(expect.arrayContaining(['public: 1 entries, ok', 'tenant-a: 3 entries, ok', '2 chain(s), all ok']));

    // Someone edits the second entry of tenant-a's chain in the database.
    await withData((database) =>
      database.db.updateTable('audit_log').set({ action: 'thing.forged' }).where('chain', '=', 'tenant-a').where('seq', '=', '2').execute(),
    );
    const broken = await veritas('audit', 'verify', '--data', dir);
    expect(broken.code).toBe(1);
    expect(broken.lines).toEqual(
      expect.arrayContaining([
        'public: 1 entries, ok',
        'tenant-a: BROKEN at entry 2: its content does not match its hash (1 entries before it hold)',
        '1 of 2 chain(s) broken',
      ]),
    );
    expect((await veritas('audit', 'verify', '--data', dir, '--chain', 'public')).code).toBe(0);
  });

  it('refuses anything but "verify" with its usage (exit 2)', async () => {
    expect(await veritas('audit', '--data', dir)).toMatchObject({ code: 2, lines: [expect.stringContaining('Usage: veritas audit verify')] });
    expect((await veritas('audit', 'fix', '--data', dir)).code).toBe(2);
  });
});
