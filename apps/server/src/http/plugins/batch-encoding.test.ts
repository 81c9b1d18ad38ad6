import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { BATCH_MEDIA_TYPE } from './batch-encoding';

/** Batches written compact (ADR 0025) and bodies sent gzip-encoded: decoded before validation, checked as any batch. */
let t: TestApp;
let id: string;
let token: string;

const keys = (from: number, n: number): VeritasEvent[] =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, t: (from + i) * 10.5, type: 'key', data: { class: 'char', hold: 3.2, trusted: true } }));

/** The compact form of a batch of key events, written out by hand from the ADR. */
function compactKeys(b: { firstSeq: number; events: VeritasEvent[]; prevHash: string; hash: string; mac?: string }, withHash = true): string {
  let prev = 0;
  // Times in tenths since the event before, a key's less its hold (3.2 ms: 32 tenths).
  const t = b.events.map((e) => {
    const at = Math.round(e.t * 10);
    const dt = at - prev - 32;
    prev = at;
    return dt;
  });
  const n = b.events.length;
  const k = [Array(n).fill('char'), Array(n).fill(32), Array(n).fill(true)];
  return JSON.stringify({ v: 1, f: b.firstSeq, p: b.prevHash, ...(withHash ? { h: b.hash } : {}), m: b.mac, c: 'k'.repeat(n), t, k });
}

const post = (body: string | Buffer, headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, payload: body, headers: { authorization: `Bearer ${token}`, ...headers } });

describe(`compact and gzip-encoded batch bodies (${TEST_DB})`, () => {
  beforeAll(async () => {
    t = await createTestApp({ publicSessions: true });
    const created = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json() as { id: string; writeToken: string };
    ({ id, writeToken: token } = created);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores a compact, gzipped batch; a tampered one fails its chain check like any batch', async () => {
    const key = await macKeyFromToken(token);
    const b1 = await sealBatch(keys(0, 5), await genesisHash(id), key);
    const body = compactKeys(b1);
    const tampered = body.replace('[32,', '[99,');
    expect(tampered).not.toBe(body);
    const refused = await post(gzipSync(tampered), { 'content-type': BATCH_MEDIA_TYPE, 'content-encoding': 'gzip' });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().type).toMatch(/hash/);
    const ok = await post(gzipSync(body), { 'content-type': BATCH_MEDIA_TYPE, 'content-encoding': 'gzip' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().ack).toBe(4);
    // Plain JSON, gzipped, and compact without gzip are accepted alike.
    const b2 = await sealBatch(keys(5, 3), b1.hash, key);
    expect((await post(gzipSync(JSON.stringify(b2)), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).json().ack).toBe(7);
    const b3 = await sealBatch(keys(8, 2), b2.hash, key);
    expect((await post(compactKeys(b3), { 'content-type': BATCH_MEDIA_TYPE })).json().ack).toBe(9);
    // Without `h` the server computes the hash: a changed event then fails the MAC, which is over the true hash.
    const b4 = await sealBatch(keys(10, 4), b3.hash, key);
    const noHash = compactKeys(b4, false);
    const changed = await post(noHash.replace('[32,', '[99,'), { 'content-type': BATCH_MEDIA_TYPE });
    expect(changed.statusCode, changed.body).toBe(401);
    expect(changed.json().type).toBe('urn:veritas:problem:bad-mac');
    expect((await post(noHash, { 'content-type': BATCH_MEDIA_TYPE })).json().ack).toBe(13);
  });

  it('refuses a body that inflates past the route limit (413), other codings (415), broken gzip and broken compact bodies (400)', async () => {
    const bomb = gzipSync(Buffer.alloc(t.app.config.bodyLimit.events + 1024, 32));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const big = await post(bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(big.statusCode, big.body).toBe(413);
    expect(big.json().type).toBe('urn:veritas:problem:body-too-large');
    const br = await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' });
    expect(br.statusCode, br.body).toBe(415);
    const broken = await post(Buffer.from('not gzip at all'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(broken.statusCode, broken.body).toBe(400);
    const odd = await post(JSON.stringify({ v: 1, f: 0, c: 'k', t: [1] }), { 'content-type': BATCH_MEDIA_TYPE });
    expect(odd.statusCode, odd.body).toBe(400);
    expect(odd.json().detail).toMatch(/compact batch/);
  });
});
