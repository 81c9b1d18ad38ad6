import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildBundle } from '../../testing/factories';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const offlineBundle = (id: string, text: string) => buildBundle({ id, text });

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
