import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_FORMAT } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

async function offlineBundle(id: string, text: string) {
  return {
    format: BUNDLE_FORMAT,
    session: { id, kind: 'writing', createdAt: '2026-11-01T10:00:00.000Z', endedAt: '2026-11-01T10:30:00.000Z', meta: { title: 'Offline' } },
    batches: await chainBatches(id, typingEvents(text), 5),
  };
}

describe('POST /v1/bundles', () => {
  it('stores a verified bundle as an ended session, and the export matches it', async () => {
    const bundle = await offlineBundle('offlineSession0001', 'written with no server');
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ id: 'offlineSession0001', status: 'ended', source: 'upload', eventCount: 22 });
    const back = (await t.app.inject({ method: 'GET', url: '/v1/sessions/offlineSession0001/bundle' })).json();
    expect(back.batches).toEqual(bundle.batches);
    expect(back.session.createdAt).toBe(bundle.session.createdAt);
    const again = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(again.statusCode).toBe(200);
  });

  it('refuses a tampered bundle before storing anything', async () => {
    const bundle = await offlineBundle('offlineSession0002', 'tamper with me');
    (bundle.batches[1]!.events[0]!.data as { ins: string }).ins = 'Z';
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ type: 'urn:veritas:problem:invalid-bundle', chain: { code: 'hash-mismatch', index: 1 } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/sessions/offlineSession0002' })).statusCode).toBe(404);
  });

  it('names the first invalid path of a malformed bundle', async () => {
    const bundle = await offlineBundle('offlineSession0003', 'abc');
    (bundle.batches[0]!.events[1] as { type: string }).type = 'keylogger';
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(r.statusCode).toBe(400);
    expect(r.json().type).toBe('urn:veritas:problem:invalid-bundle');
    const wrongFormat = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: { format: 'zip', batches: [] } });
    expect(wrongFormat.statusCode).toBe(400);
  });

  it('refuses a different bundle under an id already stored', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: await offlineBundle('offlineSession0004', 'first') });
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: await offlineBundle('offlineSession0004', 'second') });
    expect(r.statusCode).toBe(409);
    expect(r.json().type).toBe('urn:veritas:problem:session-exists');
  });
});
