import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { macKeyFromToken, parseBundle, verifyChain, type VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { chainBatches, typingEvents } from '../../testing/batches';

/**
 * Server-sealed sessions (issue 14, docs/adr/0024-server-sealed-sessions.md): a client that cannot
 * hash posts events only; the server chains and seals them, the bundle says so per batch and still
 * verifies; a client-sealed session keeps refusing batches without a valid MAC.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

interface Created {
  id: string;
  writeToken: string;
  sealing?: string;
}
const create = async (body: object): Promise<Created> => {
  const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'proctoring', ...body } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
};
const send = (s: Created, body: object) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: body });
/** What a page that fetches its metrics every 2 s sends: numbered events, nothing hashed. */
const metrics = (fromSeq: number, n: number): VeritasEvent[] =>
  Array.from(
    { length: n },
    (_, i) => ({ seq: fromSeq + i, t: (fromSeq + i) * 2000, type: 'metrics', data: { values: { engagement: 0.5 + i / 100 } } }) as VeritasEvent,
  );
const bundleOf = async (s: Created) => {
  const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}/bundle` });
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
};

describe('a server-sealed session', () => {
  it('takes unsealed batches one at a time, seals them into a chain that verifies, and marks every batch sealedBy server', async () => {
    const s = await create({ sealing: 'server' });
    expect(s.sealing).toBe('server');
    expect((await send(s, { firstSeq: 0, events: metrics(0, 3) })).json()).toMatchObject({ ack: 2, held: false, duplicate: false });
    expect((await send(s, { firstSeq: 3, events: metrics(3, 2) })).json()).toMatchObject({ ack: 4 });
    // A retry (the answer was lost) is a no-op; other events at stored seqs are a conflict.
    expect((await send(s, { firstSeq: 0, events: metrics(0, 3) })).json()).toMatchObject({ ack: 4, duplicate: true });
    const other = await send(s, { firstSeq: 3, events: metrics(3, 2).map((e) => ({ ...e, data: { values: { engagement: 0.9 } } })) });
    expect(other.statusCode).toBe(409);
    expect(other.json().type).toBe('urn:veritas:problem:seq-conflict');
    // Ahead of the chain: cannot be sealed yet, and the answer names the seq to send.
    const ahead = await send(s, { firstSeq: 9, events: metrics(9, 1) });
    expect(ahead.statusCode).toBe(409);
    expect(ahead.json()).toMatchObject({ type: 'urn:veritas:problem:seq-gap-unsealed', expectedSeq: 5 });

    const bundle = await bundleOf(s);
    expect(bundle.session.sealing).toBe('server');
    expect(bundle.batches.map((b: { sealedBy?: string; firstSeq: number }) => [b.firstSeq, b.sealedBy])).toEqual([
      [0, 'server'],
      [3, 'server'],
    ]);
    const parsed = parseBundle(bundle);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(await verifyChain(s.id, parsed.bundle.batches, await macKeyFromToken(s.writeToken))).toBeNull();
    // The sealer is bound by the MAC: relabelled as client-sealed, the batch fails the key's check.
    const relabelled = parsed.bundle.batches.map(({ sealedBy: _, ...b }) => b);
    expect(await verifyChain(s.id, relabelled, await macKeyFromToken(s.writeToken))).toMatchObject({ code: 'bad-mac', index: 0 });
    // Uploaded back, the server that holds the key checks every server-sealed MAC (ADR 0009 rule 3).
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/end`, headers: { authorization: `Bearer ${s.writeToken}` } });
    const ended = await bundleOf(s);
    const uploaded = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: ended });
    expect(uploaded.statusCode, uploaded.body).toBe(200);
    expect(uploaded.json().macs).toMatchObject({ checked: true, batchesWithMac: 2 });
    const relabelledUpload = await t.app.inject({
      method: 'POST',
      url: '/v1/bundles',
      payload: { ...ended, batches: ended.batches.map(({ sealedBy: _, ...b }: { sealedBy?: string }) => b) },
    });
    expect(relabelledUpload.statusCode).toBe(400);
    expect(relabelledUpload.json().type).toBe('urn:veritas:problem:invalid-bundle');
  });

  it('refuses a sealed batch, a half-sealed one, and a wrong token', async () => {
    const s = await create({ sealing: 'server' });
    const [sealed] = await chainBatches(s.id, typingEvents('ab'), 2, s.writeToken);
    const r = await send(s, sealed!);
    expect(r.statusCode).toBe(400);
    expect(r.json().type).toBe('urn:veritas:problem:sealing-mismatch');
    const half = await send(s, { firstSeq: 0, events: metrics(0, 1), hash: 'a'.repeat(64) });
    expect(half.json().type).toBe('urn:veritas:problem:sealing-mismatch');
    const wrong = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${s.id}/events`,
      headers: { authorization: `Bearer ${s.writeToken}x` },
      payload: { firstSeq: 0, events: metrics(0, 1) },
    });
    expect(wrong.statusCode).toBe(401);
    expect((await bundleOf(s)).batches).toEqual([]);
  });

  it('refuses events the database cannot store, and stores nothing of them', async () => {
    const s = await create({ sealing: 'server' });
    const hostile = [{ seq: 0, t: 0, type: 'custom', data: { name: 'x', data: { a: 'nul \u0000 here' } } }];
    const r = await send(s, { firstSeq: 0, events: hostile });
    expect(r.statusCode).toBe(400);
    expect((await bundleOf(s)).batches).toEqual([]);
    // The chain is untouched: the next good batch starts at 0.
    expect((await send(s, { firstSeq: 0, events: metrics(0, 1) })).json()).toMatchObject({ ack: 0 });
  });

  it("refuses another server-sealed session's write token", async () => {
    const [a, b] = [await create({ sealing: 'server' }), await create({ sealing: 'server' })];
    const r = await send({ ...a, writeToken: b.writeToken }, { firstSeq: 0, events: metrics(0, 1) });
    expect(r.statusCode).toBe(401);
    expect(r.json().type).toBe('urn:veritas:problem:invalid-token');
  });

  it('refuses a creation with an unknown sealing', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor', sealing: 'nobody' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().type).toBe('urn:veritas:problem:invalid-request');
  });
});

describe('a client-sealed session (the default)', () => {
  it('refuses an unsealed batch as missing-mac, and a batch with a hash but no MAC, and still takes sealed ones', async () => {
    const s = await create({});
    expect(s.sealing).toBe('client');
    const unsealed = await send(s, { firstSeq: 0, events: metrics(0, 2) });
    expect(unsealed.statusCode).toBe(401);
    expect(unsealed.json()).toMatchObject({ type: 'urn:veritas:problem:missing-mac', detail: expect.stringContaining('sealing "server"') });
    const [b0] = await chainBatches(s.id, typingEvents('hey'), 3, s.writeToken);
    const { mac: _, ...stripped } = b0!;
    expect((await send(s, stripped)).json().type).toBe('urn:veritas:problem:missing-mac');
    const noPrev = { firstSeq: b0!.firstSeq, events: b0!.events, hash: b0!.hash, mac: b0!.mac };
    expect((await send(s, noPrev)).json().type).toBe('urn:veritas:problem:invalid-request');
    expect((await send(s, b0!)).json()).toMatchObject({ ack: 2 });
    const bundle = await bundleOf(s);
    expect(bundle.session.sealing).toBeUndefined();
    expect(bundle.batches[0].sealedBy).toBeUndefined();
  });
});
