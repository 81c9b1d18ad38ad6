import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../testing/test-app';
import type { ConfigOverrides } from '../config/config';

/**
 * VERITAS_TRUST_PROXY: behind a trusted proxy each client has its own rate-limit bucket; an
 * X-Forwarded-For from anyone else is ignored, so a client cannot pick a fresh address per request.
 */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function appWith(trustProxy: ConfigOverrides['trustProxy']) {
  t = await createTestApp({ trustProxy, rateLimit: { anonymousPerMinute: 2, ingestPerMinute: 1000 } });
  return t.app;
}

type Inject = Awaited<ReturnType<typeof appWith>>;
const create = (app: Inject, from: string, forwardedFor?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/sessions',
    remoteAddress: from,
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    payload: { kind: 'sensor' },
  });

describe('proxy trust and rate limits', () => {
  it('gives two clients behind a trusted proxy (by address) separate buckets', async () => {
    const app = await appWith(['10.0.0.5']);
    const a = [await create(app, '10.0.0.5', '203.0.113.7'), await create(app, '10.0.0.5', '203.0.113.7'), await create(app, '10.0.0.5', '203.0.113.7')];
    expect(a.map((r) => r.statusCode)).toEqual([201, 201, 429]);
    expect(a[2]!.json().type).toBe('urn:veritas:problem:rate-limited');
    // Another client behind the same proxy is not held back by the first one's bucket.
    expect((await create(app, '10.0.0.5', '203.0.113.8')).statusCode).toBe(201);
    expect((await create(app, '10.0.0.5', '203.0.113.8')).statusCode).toBe(201);
    expect((await create(app, '10.0.0.5', '203.0.113.8')).statusCode).toBe(429);
  });

  it('trusts a CIDR range of proxies, and ignores X-Forwarded-For from an address outside it', async () => {
    const app = await appWith(['10.0.0.0/8']);
    expect((await create(app, '10.9.8.7', '203.0.113.1')).statusCode).toBe(201);
    expect((await create(app, '10.9.8.7', '203.0.113.1')).statusCode).toBe(201);
    expect((await create(app, '10.1.1.1', '203.0.113.2')).statusCode).toBe(201);
    // A direct client (not a trusted proxy) naming a new address each time still has one bucket: its own.
    const direct = [
      await create(app, '198.51.100.20', '203.0.113.30'),
      await create(app, '198.51.100.20', '203.0.113.31'),
      await create(app, '198.51.100.20', '203.0.113.32'),
    ];
    expect(direct.map((r) => r.statusCode)).toEqual([201, 201, 429]);
  });

  it('ignores X-Forwarded-For entirely when no proxy is trusted (the default)', async () => {
    const app = await appWith(false);
    const codes = [];
    for (const spoofed of ['203.0.113.40', '203.0.113.41', '203.0.113.42']) codes.push((await create(app, '127.0.0.1', spoofed)).statusCode);
    expect(codes).toEqual([201, 201, 429]);
  });

  it('with a hop count, takes the address the nearest proxy saw, not what the client wrote before it', async () => {
    const app = await appWith(1);
    // The client wrote its own X-Forwarded-For (a different made-up address each time); the proxy appended the real one.
    const codes = [];
    for (const spoofed of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) codes.push((await create(app, '10.0.0.5', `${spoofed}, 203.0.113.50`)).statusCode);
    expect(codes).toEqual([201, 201, 429]);
    expect((await create(app, '10.0.0.5', '203.0.113.51')).statusCode).toBe(201);
  });

  it('keys the ingest limit on the real client too: two clients of one session behind the proxy count apart', async () => {
    t = await createTestApp({ trustProxy: ['10.0.0.5'], rateLimit: { anonymousPerMinute: 100, ingestPerMinute: 1 } });
    const s = (await create(t.app, '10.0.0.5', '203.0.113.60')).json();
    // An empty-bodied batch is refused by validation after the limit counted it: the status tells which.
    const send = (client: string) =>
      t!.app.inject({
        method: 'POST',
        url: `/v1/sessions/${s.id}/events`,
        remoteAddress: '10.0.0.5',
        headers: { authorization: `Bearer ${s.writeToken}`, 'x-forwarded-for': client },
        payload: {},
      });
    expect((await send('203.0.113.60')).statusCode).toBe(400);
    expect((await send('203.0.113.60')).statusCode).toBe(429);
    expect((await send('203.0.113.61')).statusCode).toBe(400);
  });
});
