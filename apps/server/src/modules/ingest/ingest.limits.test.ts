import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PROTOCOL } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { openSocket as open } from '../../testing/socket-client';
import { chainBatches, typingEvents } from '../../testing/batches';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ rateLimit: { anonymousPerMinute: 1000, ingestPerMinute: 5, socketsPerClient: 2 } });
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = url.replace(/^http/, 'ws');
});
afterAll(async () => t.close());

async function newSession(): Promise<{ id: string; writeToken: string }> {
  return (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json();
}

describe('one ingest limit, whatever the transport', () => {
  it('counts socket batches against the same per-client-and-session limit as HTTP batches', async () => {
    const s = await newSession();
    const batches = await chainBatches(s.id, typingEvents('abcdefgh'), 1, s.writeToken);
    // Three of the five batches a minute over HTTP, from 127.0.0.1 like the socket below.
    for (const b of batches.slice(0, 3)) {
      const r = await fetch(base.replace(/^ws/, 'http') + `/v1/sessions/${s.id}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.writeToken}` },
        body: JSON.stringify(b),
      });
      expect(r.status).toBe(200);
    }
    const c = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    expect(await c.next()).toMatchObject({ type: 'ready', ack: 2 });
    const answers = [];
    for (const b of batches.slice(3, 6)) {
      c.ws.send(JSON.stringify({ type: 'batch', batch: b }));
      answers.push(await c.next());
    }
    expect(answers[0]).toMatchObject({ type: 'ack', ack: 3 });
    expect(answers[1]).toMatchObject({ type: 'ack', ack: 4 });
    // The sixth batch of the minute, whatever the transport: refused with what the recorder acts on.
    expect(answers[2]).toMatchObject({ type: 'error', firstSeq: 5, problem: { type: 'urn:veritas:problem:rate-limited', status: 429 } });
    expect(answers[2]!.retryAfter).toBeGreaterThan(0);
    expect(answers[2]!.retryAfter).toBeLessThanOrEqual(60);
    c.ws.close();
    await c.closed;
    // And HTTP is refused too, once the socket has used the rest.
    const after = await fetch(base.replace(/^ws/, 'http') + `/v1/sessions/${s.id}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.writeToken}` },
      body: JSON.stringify(batches[5]),
    });
    expect(after.status).toBe(429);
  });

  it('refuses a client more ingest sockets than its limit, with a 429 problem, until one closes', async () => {
    const s = await newSession();
    const a = open(`${base}/v1/sessions/${s.id}/ingest`);
    const b = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await a.opened).toBe('open');
    expect(await b.opened).toBe('open');
    const third = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await third.opened).toBe(429);
    a.ws.close();
    await a.closed;
    // The server counts the connection down when it closes: poll until a new socket is let in.
    let status: 'open' | number = 0;
    for (let i = 0; i < 600 && status !== 'open'; i++) {
      const next = open(`${base}/v1/sessions/${s.id}/ingest`);
      status = await next.opened;
      if (status === 'open') next.ws.close();
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('open');
    b.ws.close();
  });
});
