import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchHash, genesisHash } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildBundle } from '../../testing/factories';
import { chainBatches, typingEvents } from '../../testing/batches';

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

  it("says an offline bundle's MACs could not be checked: the server holds no key for it", async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: await offlineBundle('offlineSession0005', 'no key here') });
    expect(r.statusCode).toBe(201);
    expect(r.json().macs).toEqual({
      checked: false,
      batchesWithMac: 0,
      detail: expect.stringMatching(/^not checked: this server holds no write key for session offlineSession0005/),
    });
  });
});

describe('POST /v1/bundles of a session recorded live: MACs checked with its write key', () => {
  async function liveBundle() {
    const s = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json() as { id: string; writeToken: string };
    for (const b of await chainBatches(s.id, typingEvents('recorded live'), 4, s.writeToken)) {
      const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b });
      expect(r.statusCode).toBe(200);
    }
    const bundle = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/bundle` })).json();
    return { id: s.id, bundle };
  }

  it('checks every MAC of the stored session and says so', async () => {
    const { bundle } = await liveBundle();
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(r.statusCode).toBe(200);
    expect(r.json().macs).toEqual({ checked: true, batchesWithMac: 4, detail: expect.stringMatching(/^checked: every batch's MAC matches/) });
  });

  it('refuses its bundle with the events replaced and re-chained keeping the old MACs, or with the MACs stripped', async () => {
    const { id, bundle } = await liveBundle();
    let prev = await genesisHash(id);
    const forged = structuredClone(bundle);
    for (const b of forged.batches) {
      for (const e of b.events) e.data.ins = 'X';
      b.prevHash = prev;
      b.hash = await batchHash(b.events, prev);
      prev = b.hash;
    }
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: forged });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ type: 'urn:veritas:problem:invalid-bundle', chain: { code: 'bad-mac', index: 0 } });
    const stripped = { ...bundle, batches: bundle.batches.map(({ mac: _mac, ...b }: { mac?: string }) => b) };
    const s = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: stripped });
    expect(s.statusCode).toBe(400);
    expect(s.json()).toMatchObject({ type: 'urn:veritas:problem:invalid-bundle', chain: { code: 'missing-mac', index: 0 } });
  });
});
