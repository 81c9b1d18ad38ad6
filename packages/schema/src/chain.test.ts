import { describe, expect, it } from 'vitest';
import { batchHash, batchMac, genesisHash, macKeyFromToken, sealBatch, verifyChain } from './index';

const sid = 'abcdefghijklmnop';
const ev = (seq: number) => ({ seq, t: seq * 10, type: 'mark' as const, data: { label: `m${seq}` } });

async function chainOf(sizes: number[], macKey?: string) {
  let prev = await genesisHash(sid);
  let seq = 0;
  const out = [];
  for (const n of sizes) {
    const b = await sealBatch(
      Array.from({ length: n }, () => ev(seq++)),
      prev,
      macKey,
    );
    out.push(b);
    prev = b.hash;
  }
  return out;
}

describe('batch chain', () => {
  it('hash is independent of key order (canonical JSON)', async () => {
    const a = await batchHash([{ seq: 0, t: 1, type: 'mark', data: { label: 'x' } }], 'p');
    const b = await batchHash([{ data: { label: 'x' }, type: 'mark', t: 1, seq: 0 }], 'p');
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('verifies a sound chain with macs', async () => {
    const key = await macKeyFromToken('token-1');
    const batches = await chainOf([3, 1, 5], key);
    expect(await verifyChain(sid, batches, key)).toBeNull();
  });

  it('names the first problem: tampered event, broken link, gap, wrong mac', async () => {
    const key = await macKeyFromToken('token-1');
    const batches = await chainOf([2, 2, 2], key);
    const tampered = structuredClone(batches);
    tampered[1]!.events[0]!.data.label = 'changed';
    expect(await verifyChain(sid, tampered)).toMatchObject({ code: 'hash-mismatch', index: 1 });

    const relinked = structuredClone(batches);
    relinked[2]!.prevHash = relinked[0]!.hash;
    expect(await verifyChain(sid, relinked)).toMatchObject({ code: 'broken-chain', index: 2 });

    expect(await verifyChain(sid, [batches[0]!, batches[2]!])).toMatchObject({ code: 'seq-gap', index: 1, expected: 2 });

    const wrongKey = await macKeyFromToken('other');
    expect(await verifyChain(sid, batches, wrongKey)).toMatchObject({ code: 'bad-mac', index: 0 });
    expect(await batchMac(key, batches[0]!.hash)).toBe(batches[0]!.mac);

    // Given the key, a batch without a MAC fails: stripping the MACs must not pass.
    const stripped = batches.map(({ mac: _mac, ...b }, i) => (i === 1 ? b : batches[i]!));
    expect(await verifyChain(sid, stripped, key)).toMatchObject({ code: 'missing-mac', index: 1 });
    expect(await verifyChain(sid, stripped)).toBeNull();
  });

  it('binds the chain to the session id', async () => {
    const batches = await chainOf([2]);
    expect(await verifyChain('qrstuvwxyzabcdef', batches)).toMatchObject({ code: 'broken-chain', index: 0 });
  });
});
