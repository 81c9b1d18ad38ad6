import { afterEach, describe, expect, it } from 'vitest';
import { INGEST_PROTOCOL, type VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { openSocket, type SocketClient, type SocketMessage } from '../../testing/socket-client';
import { chainBatches } from '../../testing/batches';
import type { ConfigOverrides } from '../../config/config';
import { TEST_DB } from '../../testing/test-database';

/**
 * A client that does not wait: it sends its hello and, at once, every batch (issue 14). Each batch
 * is acknowledged in order, or answered with an error naming its firstSeq: none is dropped unnoticed.
 */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function started(overrides: ConfigOverrides = {}) {
  t = await createTestApp(overrides);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as { port: number };
  const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).json() as { id: string; writeToken: string };
  return { app: t.app, s, url: `ws://127.0.0.1:${port}/v1/sessions/${s.id}/ingest` };
}

function samples(n: number): VeritasEvent[] {
  return Array.from({ length: n }, (_, i) => ({ seq: i, t: i * 10, type: 'sensor' as const, data: { kind: 'accel', samples: [[i * 10, i % 7, 0.5, 9.81]] } }));
}

/** The next n messages, in arrival order. */
async function take(c: SocketClient, n: number): Promise<SocketMessage[]> {
  const out: SocketMessage[] = [];
  for (let i = 0; i < n; i++) out.push(await c.next());
  return out;
}

async function storedBatches(app: TestApp['app'], sessionId: string) {
  return app.services.database.db.selectFrom('batches').select(['first_seq']).where('session_id', '=', sessionId).orderBy('first_seq').execute();
}

describe(`WebSocket ingest, pipelined (${TEST_DB})`, () => {
  it('takes 50 batches sent right after the hello, before its ready: all acknowledged, each stored once', async () => {
    const { app, s, url } = await started();
    const batches = await chainBatches(s.id, samples(500), 10, s.writeToken);
    const c = openSocket(url);
    expect(await c.opened).toBe('open');
    // Nothing awaited between the sends: the hello is still being checked when the batches arrive.
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    for (const b of batches) c.ws.send(JSON.stringify({ type: 'batch', batch: b }));
    const [ready, ...answers] = await take(c, 1 + batches.length);
    expect(ready).toMatchObject({ type: 'ready', ack: -1 });
    expect(answers.filter((a) => a.type !== 'ack')).toEqual([]);
    expect(answers.map((a) => a.firstSeq).sort((x, y) => x! - y!)).toEqual(batches.map((b) => b.firstSeq));
    expect(answers.every((a) => a.duplicate === false)).toBe(true);
    expect(Math.max(...answers.map((a) => a.ack!))).toBe(499);
    // Queued in order: with one commit at a time (PGlite) none waits for a gap; on PostgreSQL groups
    // commit side by side and one may briefly be held until the one before it commits.
    if (TEST_DB === 'pglite') expect(answers.filter((a) => a.held)).toEqual([]);
    c.ws.close();
    expect((await storedBatches(app, s.id)).map((b) => b.first_seq)).toEqual(batches.map((b) => b.firstSeq));
    const events = (await app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/events?limit=1000` })).json().items as VeritasEvent[];
    expect(events.map((e) => e.seq)).toEqual([...Array(500).keys()]);
  });

  it('answers every pipelined batch past the rate limit with an error naming its firstSeq and a retry hint', async () => {
    const { app, s, url } = await started({ rateLimit: { ingestPerMinute: 20 } });
    const batches = await chainBatches(s.id, samples(500), 10, s.writeToken);
    const c = openSocket(url);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    for (const b of batches) c.ws.send(JSON.stringify({ type: 'batch', batch: b }));
    const [ready, ...answers] = await take(c, 1 + batches.length);
    expect(ready!.type).toBe('ready');
    const acked = answers.filter((a) => a.type === 'ack').map((a) => a.firstSeq!);
    const refused = answers.filter((a) => a.type === 'error');
    // Every batch is answered, once: the client knows exactly which to send again.
    expect([...acked, ...refused.map((a) => a.firstSeq!)].sort((x, y) => x - y)).toEqual(batches.map((b) => b.firstSeq));
    expect(acked.sort((x, y) => x - y)).toEqual(batches.slice(0, 20).map((b) => b.firstSeq));
    for (const r of refused) expect(r).toMatchObject({ problem: { type: 'urn:veritas:problem:rate-limited', status: 429 }, retryAfter: expect.any(Number) });
    c.ws.close();
    // What was taken is stored with no gap; what was refused left none behind it.
    expect((await app.inject({ method: 'GET', url: `/v1/sessions/${s.id}` })).json().ack).toBe(199);
    expect((await storedBatches(app, s.id)).length).toBe(20);
  });

  it('names the firstSeq of a batch sent before any hello', async () => {
    const { app, s, url } = await started();
    const [b0, b1] = await chainBatches(s.id, samples(20), 10, s.writeToken);
    const c = openSocket(url);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'batch', batch: b0 }));
    expect(await c.next()).toMatchObject({ type: 'error', firstSeq: 0, problem: { type: 'urn:veritas:problem:invalid-request' } });
    // Told, the client sends it again after its hello, with the next one pipelined behind: both taken.
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    c.ws.send(JSON.stringify({ type: 'batch', batch: b0 }));
    c.ws.send(JSON.stringify({ type: 'batch', batch: b1 }));
    const [ready, ...acks] = await take(c, 3);
    expect(ready!.type).toBe('ready');
    expect(acks.map((a) => [a.type, a.firstSeq]).sort((x, y) => Number(x[1]) - Number(y[1]))).toEqual([
      ['ack', 0],
      ['ack', 10],
    ]);
    c.ws.close();
    expect((await app.inject({ method: 'GET', url: `/v1/sessions/${s.id}` })).json().ack).toBe(19);
  });

  it('takes nothing that waited behind a refused hello', async () => {
    const { app, s, url } = await started();
    const [b0] = await chainBatches(s.id, samples(10), 10, s.writeToken);
    const c = openSocket(url);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: 'not the token' }));
    c.ws.send(JSON.stringify({ type: 'batch', batch: b0 }));
    expect((await c.next()).problem.type).toBe('urn:veritas:problem:invalid-token');
    expect(await c.closed).toBe(4401);
    expect((await storedBatches(app, s.id)).length).toBe(0);
  });
});
