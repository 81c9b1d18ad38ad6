import { ACCESSES } from '../../kernel/policy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildApp } from '../../http/app';
import { loadConfig } from '../../config/config';
import { openPostgres } from '../../platform/db/database';

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
