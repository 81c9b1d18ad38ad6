import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';
import { TEST_DB } from '../../testing/test-database';

/**
 * On PostgreSQL, ingest commits on connections of its own: a burst of other work that takes every
 * connection of the main pool (live alerts, review, stream reads) does not stand in front of an
 * acknowledgement. PGlite has one connection, which everything shares.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => t?.close());

describe.skipIf(TEST_DB !== 'postgres')('ingest on connections of its own', () => {
  it('acknowledges a batch while every connection of the main pool is held', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
    const { id, writeToken } = created.json() as { id: string; writeToken: string };
    const [first, second] = await chainBatches(id, typingEvents('held pool'), 4, writeToken);
    const send = (batch: unknown) =>
      t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: { authorization: `Bearer ${writeToken}` }, payload: batch as object });
    // The first batch reads the session's credential through the main pool (then cached), as any first batch does.
    expect((await send(first)).statusCode).toBe(200);

    // Every main connection taken by a transaction that waits for the test (the test database's pool holds 5).
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let taken = 0;
    const holders = Array.from({ length: 5 }, () =>
      t.db.database.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        taken++;
        await gate;
      }),
    );
    try {
      await expect.poll(() => taken, { timeout: 30_000 }).toBe(5);
      const answer = await send(second);
      expect(answer.statusCode).toBe(200);
      expect(taken).toBe(5);
    } finally {
      release();
      await Promise.all(holders);
    }
    const stored = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events?limit=100` });
    expect((stored.json().items as unknown[]).length).toBe(first!.events.length + second!.events.length);
  });
});
