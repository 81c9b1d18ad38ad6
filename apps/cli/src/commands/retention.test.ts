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
  dir = await mkdtemp(join(tmpdir(), 'veritas-retention-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const withData = <T>(work: (database: Database) => Promise<T>) => withEmbeddedData(dir, work);

const count = (database: Database, sessionId: string) =>
  database.db
    .selectFrom('events')
    .select((e) => e.fn.countAll().as('n'))
    .where('session_id', '=', sessionId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));

describe('veritas retention', () => {
  it('lists what expired with --dry-run, deleting nothing, then purges it', async () => {
    await withData(async (database) => {
      const { db } = database;
      await db.insertInto('tenants').values({ id: 't-ret', slug: 't-ret', name: 'Retention School' }).execute();
      await db.insertInto('retention_policies').values({ tenant_id: 't-ret', raw_days: 30, analysis_days: null, updated_by: null }).execute();
      for (const [id, days] of [
        ['s-old', 45],
        ['s-new', 5],
      ] as const) {
        await db
          .insertInto('sessions')
          .values({
            id,
            tenant_id: 't-ret',
            owner_id: null,
            kind: 'writing',
            status: 'ended',
            source: 'live',
            write_key: null,
            meta: '{}',
            head_hash: 'h',
            ended_at: new Date(Date.now() - days * 86_400_000),
          })
          .execute();
        await db.insertInto('events').values({ session_id: id, seq: 0, t: 0, type: 'focus', data: '{}' }).execute();
      }
    });
    const dry = await printed(() => main(['retention', '--dry-run', '--data', dir]));
    expect(dry.code).toBe(0);
    expect(dry.text).toContain('would purge raw      of session s-old (tenant t-ret');
    expect(dry.text).not.toContain('s-new');
    expect(dry.text).toContain('1 purge(s) due; nothing deleted (dry run)');
    expect(await withData((d) => count(d, 's-old'))).toBe(1);

    const run = await printed(() => main(['retention', '--data', dir]));
    expect(run.code).toBe(0);
    expect(run.text).toContain('purged raw      of session s-old');
    expect(run.text).toContain('1 purge(s), 1 row(s) deleted');
    expect(await withData((d) => count(d, 's-old'))).toBe(0);
    expect(await withData((d) => count(d, 's-new'))).toBe(1);
    expect((await printed(() => main(['retention', '--data', dir]))).text).toContain('nothing has expired');
  });

  it('lists the audit entries that would go with --dry-run, one by one, then cuts them; the chain still verifies', async () => {
    const DAY = 86_400_000;
    await withData(async (database) => {
      await database.db.insertInto('tenants').values({ id: 't-aud', slug: 't-aud', name: 'Audit School' }).execute();
      await database.db
        .insertInto('retention_policies')
        .values({ tenant_id: 't-aud', raw_days: 30, analysis_days: 30, audit_days: 365, updated_by: null })
        .execute();
      const record = (daysAgo: number, action: string) =>
        createAuditService(database, { clock: () => new Date(Date.now() - daysAgo * DAY) }).record({
          tenantId: 't-aud',
          actor: { kind: 'anonymous' },
          action,
          resource: { type: 'user', id: 'u-1' },
          context: { ip: null, requestId: 'cli-test' },
        });
      await record(800, 'user.invite');
      await record(700, 'user.update');
      await record(10, 'class.create');
    });
    const dry = await printed(() => main(['retention', '--dry-run', '--data', dir]));
    expect(dry.code).toBe(0);
    expect(dry.text).toMatch(/would purge audit entries 1–2 of tenant t-aud \(2 entries, written \S+ to \S+, kept 365 days\)/);
    expect(dry.text).toMatch(/ {2}audit entry 1 \S+ user\.invite user u-1/);
    expect(dry.text).toMatch(/ {2}audit entry 2 \S+ user\.update user u-1/);
    expect(dry.text).not.toContain('audit entry 3');
    const run = await printed(() => main(['retention', '--data', dir]));
    expect(run.text).toContain('purged audit entries 1–2 of tenant t-aud (2 entries');
    expect(run.text).not.toContain('audit entry 1 ');
    const verify = await printed(() => main(['audit', 'verify', '--chain', 't-aud', '--data', dir]));
    expect(verify.code, verify.text).toBe(0);
    expect(verify.text).toContain('t-aud: 2 entries from entry 3, ok');
  });
});
