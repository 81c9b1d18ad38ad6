import { describe, expect, it } from 'vitest';
import { batchMac, checkBatchSelf, genesisHash, macKeyFromToken, sealBatch, type Batch, type VeritasEvent } from '@veritas/schema';
import { checkSeal, macOf } from './batch-seal';

/** Events with text the canonical JSON must escape or keep as is: the hash is over those bytes. */
function events(first: number, n: number): VeritasEvent[] {
  const texts = ['e', 'é', '😀', '"quoted"\\n', '\u2028', 'a\tb', '中文'];
  return Array.from({ length: n }, (_, i) => {
    const seq = first + i;
    return seq % 2 === 0
      ? { seq, t: seq * 40.5, type: 'text.op', data: { pos: seq, del: 0, ins: texts[seq % texts.length]!, cause: 'type', trusted: true } }
      : { seq, t: seq * 40.5, type: 'key', data: { class: 'char', hold: 85, trusted: true } };
  });
}

async function sealed(first = 0, n = 50): Promise<{ batch: Batch; key: string }> {
  const key = await macKeyFromToken('w_the-write-token');
  const batch = (await sealBatch(events(first, n), await genesisHash('s-1'), key)) as Batch;
  return { batch, key };
}

describe('checkSeal (the server check of a batch, synchronous)', () => {
  it('takes what @veritas/schema seals, and its MAC is the one batchMac gives', async () => {
    for (const [first, n] of [
      [0, 1],
      [0, 50],
      [7, 13],
    ] as const) {
      const { batch, key } = await sealed(first, n);
      expect(await checkBatchSelf(batch)).toBeNull();
      expect(checkSeal(batch, key)).toBeNull();
      expect(macOf(key, batch.hash)).toBe(await batchMac(key, batch.hash));
    }
  });

  it('refuses what checkBatchSelf refuses: a changed event, a changed prevHash, a wrong hash, a seq out of order', async () => {
    const { batch, key } = await sealed();
    const tampered: Batch[] = [
      { ...batch, events: batch.events.map((e, i) => (i === 3 ? { ...e, t: e.t + 1 } : e)) },
      { ...batch, prevHash: batch.prevHash.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      { ...batch, hash: batch.hash.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
      { ...batch, firstSeq: 1 },
    ];
    for (const b of tampered) {
      expect(await checkBatchSelf(b)).not.toBeNull();
      expect(checkSeal(b, key)).toBe('hash-mismatch');
    }
  });

  it('refuses a batch without a MAC, with another key’s MAC, or with a MAC of another hash', async () => {
    const { batch, key } = await sealed();
    const { mac: _mac, ...unsigned } = batch;
    expect(checkSeal(unsigned, key)).toBe('missing-mac');
    const otherKey = await macKeyFromToken('w_another-token');
    expect(checkSeal(batch, otherKey)).toBe('bad-mac');
    expect(checkSeal({ ...batch, mac: await batchMac(key, batch.prevHash) }, key)).toBe('bad-mac');
  });
});
