import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';
import { createMetrics } from '../../platform/metrics/metrics';
import { AppError } from '../../kernel/errors';
import { createIngestCommitter } from './ingest-commit';

/**
 * One client's batch that the database refuses must fail alone: the innocent batches committed in
 * the same group are stored and acknowledged. The refusal is made at the database itself (a check
 * constraint in this test's own database, and jsonb's own refusal of U+0000 and lone surrogates),
 * so these tests hold whatever the request validation in front of ingest refuses first.
 */
const WRITERS = 10;
const POISON = '\u2620';

let t: TestApp;
beforeAll(async () => {
  // A group waits (up to the 100 ms the configuration allows) until every batch of the test has arrived.
  t = await createTestApp({ groupCommit: { maxWaitMs: 100, maxEvents: (WRITERS + 1) * 4 } });
  await sql`alter table events add constraint refuse_poison_for_test check (data->>'ins' is distinct from ${sql.lit(POISON)})`.execute(t.db.database.db);
}, 60_000);
afterAll(async () => t?.close());

async function newSession() {
  const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; writeToken: string };
}

const send = (id: string, token: string, batch: unknown) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: { authorization: `Bearer ${token}` }, payload: batch as object });

async function storedSeqs(id: string): Promise<number[]> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events?limit=100` });
  return (r.json().items as { seq: number }[]).map((e) => e.seq);
}

function groupStats(metricsText: string): { groups: number; batches: number } {
  const n = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metricsText)?.[1] ?? NaN);
  return { groups: n('veritas_group_commit_batches_count'), batches: n('veritas_group_commit_batches_sum') };
}

describe('a batch the database refuses fails alone', () => {
  it('over HTTP: the innocent writers of its group are acknowledged, the refused batch gets a 400 problem', async () => {
    const innocents = await Promise.all(Array.from({ length: WRITERS }, () => newSession()));
    const bad = await newSession();
    const innocentBatches = await Promise.all(innocents.map(async (s) => (await chainBatches(s.id, typingEvents('fine'), 4, s.writeToken))[0]!));
    const [badBatch] = await chainBatches(bad.id, typingEvents(`ab${POISON}d`), 4, bad.writeToken);
    const before = groupStats((await t.app.inject({ method: 'GET', url: '/metrics' })).body);

    const half = WRITERS / 2;
    const sendInnocent = (i: number) => send(innocents[i]!.id, innocents[i]!.writeToken, innocentBatches[i]);
    const all = await Promise.all([
      ...innocents.slice(0, half).map((_, i) => sendInnocent(i)),
      send(bad.id, bad.writeToken, badBatch),
      ...innocents.slice(half).map((_, i) => sendInnocent(half + i)),
    ]);
    const badAnswer = all[half]!;
    const answers = all.filter((_, i) => i !== half);

    for (const a of answers) expect({ status: a.statusCode, body: a.json() }).toEqual({ status: 200, body: { ack: 3, held: false, duplicate: false } });
    expect(badAnswer.statusCode).toBe(400);
    expect(badAnswer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(badAnswer.json()).toMatchObject({ type: 'urn:veritas:problem:invalid-event', status: 400 });
    // They shared groups (one, unless the machine is so slow that 100 ms passed between requests):
    // the innocent ones were committed by the retry without the refused batch.
    const after = groupStats((await t.app.inject({ method: 'GET', url: '/metrics' })).body);
    expect(after.batches - before.batches).toBe(WRITERS + 1);
    expect(after.groups - before.groups).toBeLessThan(WRITERS + 1);
    for (const s of innocents) expect(await storedSeqs(s.id)).toEqual([0, 1, 2, 3]);
    expect(await storedSeqs(bad.id)).toEqual([]);
    // The refused session is not damaged: its writer can still send a batch the database takes.
    const [fixed] = await chainBatches(bad.id, typingEvents('abcd'), 4, bad.writeToken);
    expect((await send(bad.id, bad.writeToken, fixed)).json()).toMatchObject({ ack: 3 });
  });

  it('in the group commit itself: U+0000 and a lone surrogate in event text are refused by the database, the rest of the group is stored', async () => {
    const innocents = await Promise.all(Array.from({ length: 6 }, () => newSession()));
    const nul = await newSession();
    const surrogate = await newSession();
    const withText = (s: { id: string; writeToken: string }, text: string) => chainBatches(s.id, typingEvents(text), 4, s.writeToken).then((b) => b[0]!);
    const items = [
      ...(await Promise.all(innocents.slice(0, 3).map(async (s) => ({ sessionId: s.id, batch: await withText(s, 'okay') })))),
      { sessionId: nul.id, batch: await withText(nul, 'a\u0000bc') },
      ...(await Promise.all(innocents.slice(3).map(async (s) => ({ sessionId: s.id, batch: await withText(s, 'okay') })))),
      { sessionId: surrogate.id, batch: await withText(surrogate, 'ab\ud800c') },
    ];
    const committed: string[] = [];
    // No request validation in front: these batches go straight to the group commit, all in one group.
    const committer = createIngestCommitter(t.db.database, { maxWaitMs: 60_000, maxWeight: items.length * 4, concurrency: 1 }, createMetrics(), (appended) =>
      committed.push(...appended.map((c) => c.sessionId)),
    );
    try {
      const r = await Promise.allSettled(items.map((item) => committer.submit(item)));
      const byIndex = r.map((x) => (x.status === 'fulfilled' ? x.value : x.reason));
      for (const i of [0, 1, 2, 4, 5, 6]) expect(byIndex[i]).toEqual({ ok: true, held: false, duplicate: false, ack: 3 });
      for (const i of [3, 7]) {
        expect(byIndex[i]).toBeInstanceOf(AppError);
        expect(byIndex[i]).toMatchObject({ code: 'invalid-event', status: 400 });
      }
      expect(committed.sort()).toEqual(innocents.map((s) => s.id).sort());
      for (const s of innocents) expect(await storedSeqs(s.id)).toEqual([0, 1, 2, 3]);
      expect(await storedSeqs(nul.id)).toEqual([]);
      expect(await storedSeqs(surrogate.id)).toEqual([]);
    } finally {
      await committer.close();
    }
  });
});
