import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';
import { TEST_DB } from '../../testing/test-database';
import { ingestDb } from '../../platform/db/database';
import { IngestGroup } from './ingest-group';

/**
 * A session's held batches are counted on its row (schema step 0028) and ingest reads them only when
 * the count is above zero. The count must be true whoever writes held_batches, and read from the row
 * the lock was taken on, not from a snapshot older than the lock's wait.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => t?.close());

async function session(text: string) {
  const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
  const { id, writeToken } = created.json() as { id: string; writeToken: string };
  const batches = await chainBatches(id, typingEvents(text), 3, writeToken);
  const send = (batch: unknown) =>
    t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: { authorization: `Bearer ${writeToken}` }, payload: batch as object });
  return { id, batches, send };
}

async function counts(id: string): Promise<{ counted: number; held: number }> {
  const db = t.db.database.db;
  const { rows } = await sql<{ counted: number; held: number }>`
    select s.held_count as counted, (select count(*)::integer from held_batches h where h.session_id = s.id) as held
    from sessions s where s.id = ${id}`.execute(db);
  return rows[0]!;
}

describe('the held-batch count on the session row', () => {
  it('follows the held batches: held (once, however often sent), then promoted', async () => {
    const { id, batches, send } = await session('abcdefghijkl');
    const [b0, b1, b2, b3] = batches;
    expect(await counts(id)).toEqual({ counted: 0, held: 0 });
    // Two batches past a gap wait; a retry of one of them counts once.
    for (const b of [b2, b3]) expect((await send(b)).statusCode).toBe(202);
    expect((await send(b3)).json()).toMatchObject({ held: true, duplicate: true });
    expect(await counts(id)).toEqual({ counted: 2, held: 2 });
    // The gap fills: both follow and leave held_batches.
    for (const b of [b0, b1]) expect((await send(b)).statusCode).toBe(200);
    expect(await counts(id)).toEqual({ counted: 0, held: 0 });
    const stored = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events?limit=100` });
    expect((stored.json().items as { seq: number }[]).map((e) => e.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('is kept by every writer of held_batches, not only by ingest (the retention purge deletes them too)', async () => {
    const { id, batches, send } = await session('pqrstuvwx');
    expect((await send(batches[2])).statusCode).toBe(202);
    expect(await counts(id)).toEqual({ counted: 1, held: 1 });
    await t.db.database.db.deleteFrom('held_batches').where('session_id', '=', id).execute();
    expect(await counts(id)).toEqual({ counted: 0, held: 0 });
  });
});

describe.skipIf(TEST_DB !== 'postgres')('the held-batch count under a lock wait', () => {
  it('a group that waited for the session sees the batch the group before it held, and promotes it', async () => {
    const { id, batches } = await session('123456789');
    const [b0, b1, b2] = batches;
    const db = ingestDb(t.db.database);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let heldOne = false;
    // Group A holds b2 (past a gap) and keeps its transaction open.
    const a = db.transaction().execute(async (tx) => {
      const group = await IngestGroup.open(tx, [id]);
      expect(await group.add({ sessionId: id, batch: b2! })).toEqual({ ok: true, held: true, duplicate: false });
      await group.persist();
      heldOne = true;
      await gate;
    });
    await expect.poll(() => heldOne, { timeout: 30_000 }).toBe(true);
    // Group B brings the gap's batches; its lock waits for A. Its statement's snapshot predates A's commit.
    const b = db.transaction().execute(async (tx) => {
      const group = await IngestGroup.open(tx, [id]);
      for (const batch of [b0!, b1!]) expect((await group.add({ sessionId: id, batch })).ok).toBe(true);
      await group.persist();
      return group.ack(id);
    });
    const waiting = async () =>
      (
        await sql<{ n: number }>`select count(*)::integer as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db.database.db)
      ).rows[0]!.n;
    await expect.poll(waiting, { timeout: 30_000 }).toBe(1);
    release();
    await a;
    // B read the count on the row A left, found A's held batch, and appended it after its own two.
    expect(await b).toBe(8);
    expect(await counts(id)).toEqual({ counted: 0, held: 0 });
  });
});
