import { printed } from '../testing/printed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@veritas/server';
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
});
