import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PROTOCOL, type VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { openSocket as open } from '../../testing/socket-client';
import { buildApp } from '../../http/app';
import { loadConfig } from '../../config/config';
import { openPostgres } from '../../platform/db/database';
import { chainBatches } from '../../testing/batches';

let t: TestApp;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = t.app.server.address() as { port: number };
  base = `ws://127.0.0.1:${addr.port}`;
});
afterAll(async () => t?.close());

function accelEvents(n: number, hz: number): VeritasEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    seq: i,
    t: (i * 1000) / hz,
    type: 'sensor' as const,
    data: { kind: 'accel', samples: [[(i * 1000) / hz, Math.sin(i / 10), Math.cos(i / 10), 9.81]] },
  }));
}

describe('WebSocket ingest', () => {
  it('streams 100 Hz accelerometer samples and acknowledges each batch durably', async () => {
    const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).json();
    const c = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    expect(await c.next()).toMatchObject({ type: 'ready', ack: -1 });
    const batches = await chainBatches(s.id, accelEvents(500, 100), 10, s.writeToken);
    for (const b of batches) c.ws.send(JSON.stringify({ type: 'batch', batch: b }));
    const acks = [];
    for (let i = 0; i < batches.length; i++) acks.push(await c.next());
    expect(acks.every((a) => a.type === 'ack')).toBe(true);
    expect(Math.max(...acks.map((a) => a.ack ?? -1))).toBe(499);
    c.ws.close();
    const stored = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}` })).json();
    expect(stored.ack).toBe(499);
  });

  it('refuses a wrong token, a wrong protocol and a malformed message with problems', async () => {
    const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).json();
    const bad = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await bad.opened).toBe('open');
    bad.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: 'nope' }));
    expect((await bad.next()).problem.type).toBe('urn:veritas:problem:invalid-token');
    expect(await bad.closed).toBe(4401);

    const old = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await old.opened).toBe('open');
    old.ws.send(JSON.stringify({ type: 'hello', protocol: 'veritas.ingest/v0', token: s.writeToken }));
    expect((await old.next()).problem.detail).toContain('unsupported protocol');
    expect(await old.closed).toBe(4400);

    const c = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await c.opened).toBe('open');
    c.ws.send('{not json');
    expect((await c.next()).problem.type).toBe('urn:veritas:problem:malformed-json');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    expect((await c.next()).type).toBe('ready');
    c.ws.send(JSON.stringify({ type: 'batch', batch: { firstSeq: 0, events: [] } }));
    const e = await c.next();
    expect(e.problem.type).toBe('urn:veritas:problem:invalid-request');
    c.ws.close();
  });

  it('refuses a batch without a MAC, and one with a wrong MAC, and stores neither', async () => {
    const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).json();
    const c = open(`${base}/v1/sessions/${s.id}/ingest`);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: s.writeToken }));
    expect((await c.next()).type).toBe('ready');
    const [b0] = await chainBatches(s.id, accelEvents(5, 100), 5, s.writeToken);
    c.ws.send(JSON.stringify({ type: 'batch', batch: { ...b0, mac: undefined } }));
    expect(await c.next()).toMatchObject({ type: 'error', firstSeq: 0, problem: { type: 'urn:veritas:problem:missing-mac', status: 401 } });
    c.ws.send(JSON.stringify({ type: 'batch', batch: { ...b0, mac: '0'.repeat(64) } }));
    expect(await c.next()).toMatchObject({ type: 'error', firstSeq: 0, problem: { type: 'urn:veritas:problem:bad-mac', status: 401 } });
    c.ws.close();
    expect((await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}` })).json().ack).toBe(-1);
  });

  it('tells a client to come back later, with a retry hint, when the database is away', async () => {
    // Nothing listens on port 9: the database is down for this app.
    const database = openPostgres('postgres://postgres@127.0.0.1:9/none', 1);
    const app = await buildApp({ config: loadConfig({}, { dataDir: undefined, logLevel: 'silent' }), database, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { port } = app.server.address() as { port: number };
      const c = open(`ws://127.0.0.1:${port}/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA/ingest`);
      expect(await c.opened).toBe('open');
      c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: 'any' }));
      expect(await c.next()).toMatchObject({ type: 'error', retryAfter: 2, problem: { type: 'urn:veritas:problem:database-unavailable', status: 503 } });
      expect(await c.closed).toBe(1013);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
