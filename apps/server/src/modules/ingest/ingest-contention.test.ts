import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';
import { TEST_DB } from '../../testing/test-database';

/**
 * Other work on PostgreSQL does not hold ingest up: it commits on connections of its own, so a burst
 * that takes every connection of the main pool (live alerts, review, stream reads) does not stand in
 * front of an acknowledgement; and its lock on a session's row lets rows that reference the session
 * be written meanwhile. PGlite has one connection, which everything shares.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 60_000);
afterAll(async () => t?.close());

async function twoBatches(text: string) {
  const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
  const { id, writeToken } = created.json() as { id: string; writeToken: string };
  const [first, second] = await chainBatches(id, typingEvents(text), 4, writeToken);
  const send = (batch: unknown) =>
    t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: { authorization: `Bearer ${writeToken}` }, payload: batch as object });
  return { id, first: first!, second: second!, send };
}

describe.skipIf(TEST_DB !== 'postgres')('ingest beside other work', () => {
  it('acknowledges a batch while every connection of the main pool is held', async () => {
    const { id, first, second, send } = await twoBatches('held pool');
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
    expect((stored.json().items as unknown[]).length).toBe(first.events.length + second.events.length);
  });

  it('acknowledges a batch while another transaction holds a key-share lock on its session', async () => {
    const { id, first, second, send } = await twoBatches('key share');
    expect((await send(first)).statusCode).toBe(200);
    // What the foreign-key check of any row referencing the session takes (an alert, a review flag),
    // held open as a slow review transaction holds it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked = false;
    const holder = t.db.database.db.transaction().execute(async (trx) => {
      await sql`select id from sessions where id = ${id} for key share`.execute(trx);
      locked = true;
      await gate;
    });
    try {
      await expect.poll(() => locked, { timeout: 30_000 }).toBe(true);
      let answered: number | undefined;
      void send(second).then((r) => (answered = r.statusCode));
      // Before, ingest's FOR UPDATE waited for the key-share holder to commit.
      await expect.poll(() => answered, { timeout: 30_000 }).toBe(200);
    } finally {
      release();
      await holder;
    }
  });
});
