import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildBatch, createSession } from '../../testing/factories';
import { chainBatches, typingEvents } from '../../testing/batches';
import { batchHash, batchMac, macKeyFromToken } from '@veritas/schema';
import { PUBLIC_SCOPE, tenantScope } from '../../kernel/scope';
import type { DomainEvents } from '../../kernel/events';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const newSession = () => createSession(t.app);

const send = (id: string, token: string | undefined, batch: unknown) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: token ? { authorization: `Bearer ${token}` } : {}, payload: batch as object });

async function storedSeqs(id: string): Promise<number[]> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events?limit=5000` });
  return (r.json().items as { seq: number }[]).map((e) => e.seq);
}

describe('HTTP ingest', () => {
  it('stores a chain of batches and answers the highest contiguous seq', async () => {
    const s = await newSession();
    const batches = await chainBatches(s.id, typingEvents('hello world'), 4, s.writeToken);
    const acks = [];
    for (const b of batches) {
      const r = await send(s.id, s.writeToken, b);
      expect(r.statusCode).toBe(200);
      acks.push(r.json().ack);
    }
    expect(acks).toEqual([3, 7, 10]);
    expect(await storedSeqs(s.id)).toEqual([...Array(11).keys()]);
  });

  it('treats a retried batch as a no-op', async () => {
    const s = await newSession();
    const [b0, b1] = await chainBatches(s.id, typingEvents('abcdef'), 3, s.writeToken);
    expect((await send(s.id, s.writeToken, b0)).json()).toEqual({ ack: 2, held: false, duplicate: false });
    expect((await send(s.id, s.writeToken, b1)).json()).toEqual({ ack: 5, held: false, duplicate: false });
    const again = await send(s.id, s.writeToken, b0);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ack: 5, held: false, duplicate: true });
    expect(await storedSeqs(s.id)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('holds an early batch until its gap fills, then acknowledges both', async () => {
    const s = await newSession();
    const [b0, b1, b2] = await chainBatches(s.id, typingEvents('abcdefghi'), 3, s.writeToken);
    const early = await send(s.id, s.writeToken, b2);
    expect(early.statusCode).toBe(202);
    expect(early.json()).toEqual({ ack: -1, held: true, duplicate: false });
    expect((await send(s.id, s.writeToken, b0)).json().ack).toBe(2);
    expect((await send(s.id, s.writeToken, b1)).json().ack).toBe(8);
    expect(await storedSeqs(s.id)).toEqual([...Array(9).keys()]);
  });

  it('answers concurrent batches of many sessions, each after its commit', async () => {
    const sessions = await Promise.all(Array.from({ length: 8 }, () => newSession()));
    const chains = await Promise.all(sessions.map((s) => chainBatches(s.id, typingEvents('concurrent text!'), 4, s.writeToken)));
    // Every session's batches at once, in order per session but interleaved across sessions.
    const answers = await Promise.all(
      sessions.map(async (s, i) => {
        const out = [];
        for (const b of chains[i]!) out.push((await send(s.id, s.writeToken, b)).json().ack);
        return out;
      }),
    );
    for (const a of answers) expect(a).toEqual([3, 7, 11, 15]);
    const groups = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(groups.body).toMatch(/veritas_events_ingested_total \d+/);
  });
});

describe('bad input is refused with a specific problem, and changes nothing', () => {
  it.each([
    ['malformed JSON', 'malformed-json', 400],
    ['wrong types', 'invalid-request', 400],
    ['unknown event type', 'invalid-request', 400],
    ['bad event data', 'invalid-event', 400],
    ['missing token', 'missing-token', 401],
    ['wrong token', 'invalid-token', 401],
    ['tampered hash', 'hash-mismatch', 400],
    ['wrong mac', 'bad-mac', 401],
    ['missing mac', 'missing-mac', 401],
    ['broken chain', 'broken-chain', 409],
    ['seq gap beyond the window', 'seq-gap-too-large', 409],
    ['reused seqs with different content', 'seq-conflict', 409],
    ['batch for an ended session', 'session-ended', 409],
    ['oversized body', 'body-too-large', 413],
    ['unknown session', 'not-found', 404],
  ])('%s → %s', async (name, type, status) => {
    const s = await newSession();
    const [b0, b1] = await chainBatches(s.id, typingEvents('abcdef'), 3, s.writeToken);
    await send(s.id, s.writeToken, b0);
    const before = await storedSeqs(s.id);
    let r;
    const auth = { authorization: `Bearer ${s.writeToken}`, 'content-type': 'application/json' };
    // Batches built by hand carry a right MAC, so they meet the check each case is about.
    const macOf = async (hash: string) => batchMac(await macKeyFromToken(s.writeToken), hash);
    switch (name) {
      case 'malformed JSON':
        r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: auth, payload: '{"firstSeq": 3, "events": [' });
        break;
      case 'wrong types':
        r = await send(s.id, s.writeToken, { ...b1, firstSeq: 'three' });
        break;
      case 'unknown event type':
        r = await send(s.id, s.writeToken, { ...b1, events: b1!.events.map((e) => ({ ...e, type: 'keylogger' })) });
        break;
      case 'bad event data': {
        const events = b1!.events.map((e) => ({ ...e, data: { ...e.data, pos: -4 } }));
        r = await send(s.id, s.writeToken, { ...b1, events, hash: await batchHash(events, b1!.prevHash), mac: undefined });
        break;
      }
      case 'missing token':
        r = await send(s.id, undefined, b1);
        break;
      case 'wrong token':
        r = await send(s.id, 'x'.repeat(43), b1);
        break;
      case 'tampered hash':
        r = await send(s.id, s.writeToken, { ...b1, events: b1!.events.map((e) => ({ ...e, t: e.t + 1 })) });
        break;
      case 'wrong mac':
        r = await send(s.id, s.writeToken, { ...b1, mac: 'f'.repeat(64) });
        break;
      case 'missing mac':
        r = await send(s.id, s.writeToken, { ...b1, mac: undefined });
        break;
      case 'broken chain': {
        const prevHash = 'a'.repeat(64);
        const hash = await batchHash(b1!.events, prevHash);
        r = await send(s.id, s.writeToken, { firstSeq: 3, events: b1!.events, prevHash, hash, mac: await macOf(hash) });
        break;
      }
      case 'seq gap beyond the window': {
        const events = typingEvents('xy', 50_000, 10_000);
        const hash = await batchHash(events, b0!.hash);
        r = await send(s.id, s.writeToken, { firstSeq: 50_000, events, prevHash: b0!.hash, hash, mac: await macOf(hash) });
        break;
      }
      case 'reused seqs with different content': {
        const events = typingEvents('XYZ');
        const [other] = await chainBatches(s.id, events, 3, s.writeToken);
        r = await send(s.id, s.writeToken, other);
        break;
      }
      case 'batch for an ended session':
        await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
        r = await send(s.id, s.writeToken, b1);
        break;
      case 'oversized body':
        r = await t.app.inject({
          method: 'POST',
          url: `/v1/sessions/${s.id}/events`,
          headers: auth,
          payload: JSON.stringify({ ...b1, pad: 'x'.repeat(5 * 1024 * 1024) }),
        });
        break;
      case 'unknown session':
        r = await send('AAAAAAAAAAAAAAAAAAAAAA', s.writeToken, b1);
        break;
    }
    expect(r!.statusCode).toBe(status);
    expect(r!.headers['content-type']).toContain('application/problem+json');
    expect(r!.json().type).toBe(`urn:veritas:problem:${type}`);
    expect(await storedSeqs(s.id)).toEqual(before);
  });

  it('refuses a flood from one client with 429', async () => {
    const flood = await createTestApp({ rateLimit: { anonymousPerMinute: 5, ingestPerMinute: 1000 } });
    try {
      const codes = [];
      for (let i = 0; i < 8; i++) codes.push((await flood.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).statusCode);
      expect(codes.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
      const last = await flood.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } });
      expect(last.statusCode).toBe(429);
      expect(last.json().type).toBe('urn:veritas:problem:rate-limited');
      expect(last.headers['retry-after']).toBeDefined();
    } finally {
      await flood.close();
    }
  });
});

describe('batch.committed', () => {
  it("tells the session's tenant as the committed rows have it, whatever the writer's scope says", async () => {
    const { session, writeToken } = await t.app.services.sessions.create(tenantScope('tenant-c'), { kind: 'writing' });
    const heard: DomainEvents['batch.committed'][] = [];
    const off = t.app.services.events.on('batch.committed', (e) => void heard.push(e));
    try {
      const batch = await buildBatch({ sessionId: session.id, writeToken, text: 'tenant' });
      // A writer whose scope is wrong (public): the commit must not take its tenant from the caller, nor from any cache.
      const writer = { kind: 'session-writer' as const, sessionId: session.id, scope: PUBLIC_SCOPE, macKey: session.write_key! };
      expect(await t.app.services.ingest.submit(writer, batch)).toMatchObject({ ack: 5 });
      expect(heard).toHaveLength(1);
      expect(heard[0]!.scope.tenantId).toBe('tenant-c');
      expect(heard[0]!.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      off();
    }
  });
});
