import { ACCESSES } from '../../kernel/policy';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildApp } from '../../http/app';
import { loadConfig } from '../../config/config';
import { openPostgres } from '../../platform/db/database';
import { createTestDatabase, TEST_DB } from '../../testing/test-database';
import { freePort, OwnRedis } from '../../testing/own-redis';
import { connectRedis, redisReady } from '../../roles/server';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('operations', () => {
  it('reports health, readiness and Prometheus metrics', async () => {
    expect((await t.app.inject('/health')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/ready')).json()).toMatchObject({ status: 'ready' });
    const m = await t.app.inject('/metrics');
    expect(m.headers['content-type']).toContain('text/plain');
    for (const name of ['veritas_events_ingested_total', 'veritas_batch_commit_seconds', 'veritas_ingest_sockets_open', 'veritas_batches_rejected_total']) {
      expect(m.body).toContain(name);
    }
  });

  it('serves the OpenAPI document and interactive docs', async () => {
    expect((await t.app.inject('/openapi.json')).json().info.title).toBe('Veritas API');
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('gives every route an access declaration', () => {
    const routes = t.app.routeAccess.filter((r) => !r.url.startsWith('/docs'));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const r of routes) {
      expect(r.access?.length, `${r.method} ${r.url}`).toBeGreaterThan(0);
      for (const a of r.access ?? []) expect(ACCESSES, `${r.method} ${r.url}`).toContain(a);
    }
  });

  it('answers 404 as problem+json with the request id', async () => {
    const r = await t.app.inject({ url: '/v1/nothing', headers: { 'x-request-id': 'req-123' } });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ type: 'urn:veritas:problem:not-found', requestId: 'req-123' });
    expect(r.headers['x-request-id']).toBe('req-123');
  });

  it('reports Redis and the job queue on /ready, which only the database decides', async () => {
    const body = (await t.app.inject('/ready')).json();
    expect(body).toMatchObject({
      status: 'ready',
      database: TEST_DB,
      redis: t.redis ? 'up' : 'not-configured',
      queue: { state: 'up' },
      replica: { state: 'not-configured' },
    });
    expect(body.queue.backlog).toBeGreaterThanOrEqual(0);
  });

  it('answers 200 while Redis is down, logs the outage once, and sees Redis come back', async () => {
    const own = new OwnRedis(await freePort());
    await own.start();
    const redis = connectRedis(own.url);
    const database = await createTestDatabase();
    const lines: { msg: string; dependency?: string }[] = [];
    const app = await buildApp({
      config: loadConfig({}, { dataDir: undefined, logLevel: 'info' }),
      database: database.database,
      redis,
      logger: { level: 'info', stream: { write: (line: string) => lines.push(JSON.parse(line)) } } as never,
    });
    const redisLog = () => lines.filter((l) => l.dependency === 'redis').map((l) => l.msg);
    const readyRedis = async () => {
      const r = await app.inject('/ready');
      expect(r.statusCode).toBe(200);
      return r.json().redis as string;
    };
    try {
      expect(await redisReady(redis, 20_000)).toBe(true);
      expect(await readyRedis()).toBe('up');
      await own.stop();
      await vi.waitFor(async () => expect(await readyRedis()).toBe('down'), { timeout: 20_000, interval: 50 });
      for (let i = 0; i < 3; i++) expect(await readyRedis()).toBe('down');
      expect(redisLog()).toEqual(['redis unreachable: /ready reports it until it is back']);
      await own.start();
      await vi.waitFor(async () => expect(await readyRedis()).toBe('up'), { timeout: 30_000, interval: 100 });
      expect(redisLog()).toEqual(['redis unreachable: /ready reports it until it is back', 'redis reachable again']);
    } finally {
      await app.close();
      redis.disconnect();
      await own.stop();
      await database.drop();
    }
  }, 90_000);

  it('answers 503 with Retry-After when PostgreSQL cannot be reached', async () => {
    // Nothing listens on port 9: every connection is refused, as when the database is down.
    const database = openPostgres('postgres://postgres@127.0.0.1:9/none', 1);
    const app = await buildApp({ config: loadConfig({}, { dataDir: undefined, logLevel: 'silent' }), database, logger: false });
    try {
      const ready = await app.inject('/ready');
      expect(ready.statusCode).toBe(503);
      const create = await app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
      expect(create.statusCode).toBe(503);
      expect(create.headers['retry-after']).toBe('2');
      expect(create.json().type).toBe('urn:veritas:problem:database-unavailable');
    } finally {
      await app.close();
      await database.close();
    }
  });
});
