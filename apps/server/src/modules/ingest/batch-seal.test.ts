import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { batchMac, canonicalJson, checkBatchSelf, genesisHash, macKeyFromToken, sealBatch, type Batch, type VeritasEvent } from '@veritas/schema';
import { canonicalBatch, checkSeal, checkSealOf, macOf } from './batch-seal';

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

describe('canonicalBatch (the bytes the hash is over, written in one walk)', () => {
  it('gives canonicalJson({ events, prevHash }) for any JSON the parser can produce, and each data as canonicalJson(data)', () => {
    // Parsed JSON, as the server receives it: any keys (sorted by UTF-16 code units, "__proto__" aside: the
    // body parser refuses it), any strings (lone surrogates, U+2028, controls), integers and doubles.
    const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    const event = fc.record({ seq: fc.nat(), t: fc.double({ noNaN: true, noDefaultInfinity: true }), type: fc.string(), data: json });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.string(), (events, prevHash) => {
        const { text, dataJson } = canonicalBatch(events as VeritasEvent[], prevHash);
        expect(text).toBe(canonicalJson({ events, prevHash }));
        expect(dataJson).toEqual(events.map((e) => canonicalJson(e.data)));
      }),
      { numRuns: 500 },
    );
  });

  it('hashes the keys an event carries beyond seq, t, type and data, as the schema does', () => {
    const odd = [{ seq: 0, t: 1, type: 'key', data: { b: 1, a: [1, 'x', null] }, extra: { z: true } }] as unknown as VeritasEvent[];
    expect(canonicalBatch(odd, 'p').text).toBe(canonicalJson({ events: odd, prevHash: 'p' }));
  });

  it('keeps, for a sealed batch whose seal holds, each event’s data as canonical JSON', async () => {
    const { batch, key } = await sealed(3, 9);
    const checked = checkSealOf(batch, key);
    expect(checked.problem).toBeNull();
    expect('dataJson' in checked && checked.dataJson).toEqual(batch.events.map((e) => canonicalJson(e.data)));
  });
});
