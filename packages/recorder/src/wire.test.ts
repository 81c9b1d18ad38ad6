import { describe, expect, it } from 'vitest';
import { batchHash, genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { decodeBatchBody } from '@veritas/server';
import type { Batch } from './types';
import { compactBatch } from './wire';

/** The compact batch is transport only: the server's decoder gives back exactly the sealed batch, so its hash and MAC still hold. */
const events: VeritasEvent[] = [
  { seq: 40, t: 0, type: 'consent', data: { policy: 'p', accepted: true } },
  { seq: 41, t: 12.3, type: 'snapshot', data: { text: 'ab\n' } },
  { seq: 42, t: 20.1, type: 'text.op', data: { pos: 3, del: 0, ins: 'H', cause: 'type', trusted: true } },
  { seq: 43, t: 33.3, type: 'key', data: { class: 'char', hold: 0.1, trusted: true } },
  { seq: 44, t: 33.3, type: 'text.op', data: { pos: 4, del: 0, ins: 'é😀', cause: 'type', trusted: true } },
  { seq: 45, t: 1000.7, type: 'text.op', data: { pos: 1, del: 2, ins: '', cause: 'delete', trusted: false } },
  { seq: 46, t: 1000.8, type: 'text.op', data: { pos: 0, del: 0, ins: 'pasted\ud83d', cause: 'paste' } },
  { seq: 47, t: 1000.9, type: 'selection', data: { start: 2, end: 5 } },
  { seq: 48, t: 1001, type: 'clipboard', data: { action: 'copy', len: 3, hash: '0'.repeat(32) } },
  { seq: 49, t: 1001.1, type: 'key', data: { class: 'backspace', hold: 80, trusted: false } },
  { seq: 50, t: 99999.9, type: 'focus', data: { state: 'blur' } },
];

async function sealed(evs: VeritasEvent[], token?: string): Promise<Batch> {
  return (await sealBatch(evs, await genesisHash('s'.repeat(20)), token ? await macKeyFromToken(token) : undefined)) as Batch;
}

describe('the compact batch (ADR 0025)', () => {
  it('decodes to the same batch, whose hash is still that of its events', async () => {
    for (const token of [undefined, 'write-token']) {
      const b = await sealed(events, token);
      const text = compactBatch(b)!;
      expect(text).not.toBeNull();
      const back = (await decodeBatchBody(text)) as Batch;
      expect(back).toEqual(token ? b : { firstSeq: b.firstSeq, events: b.events, prevHash: b.prevHash, hash: b.hash });
      expect(await batchHash(back.events, back.prevHash)).toBe(b.hash);
      expect(text.length).toBeLessThan(JSON.stringify(b).length);
    }
  });

  it('carries events outside its table, or with a field left undefined, as they are', async () => {
    const odd = [
      { seq: 0, t: 1, type: 'text.op', data: { pos: 0, del: 0, ins: 'a', cause: 'type', trusted: undefined } },
      { seq: 1, t: 2, type: 'key', data: { class: 'char', hold: 1 } },
      { seq: 2, t: 3, type: 'custom', data: { name: 'x', value: { nested: [1, 'two'] } } },
    ] as unknown as VeritasEvent[];
    const b = await sealed(odd);
    const back = (await decodeBatchBody(compactBatch(b)!)) as Batch;
    expect(JSON.stringify(back.events)).toBe(JSON.stringify(b.events));
  });

  it('is not used when seq or t could not be carried back exactly (the batch goes as plain JSON)', async () => {
    const gap = [events[2]!, { ...events[3]!, seq: 50 }];
    expect(compactBatch(await sealed(gap))).toBeNull();
    const fine = [{ ...events[2]!, t: 20.123 }];
    expect(compactBatch(await sealed(fine))).toBeNull();
  });

  it('refuses bodies that do not add up', async () => {
    const base = { v: 1, f: 0, p: 'a'.repeat(64), h: 'b'.repeat(64), c: 'k', t: [1], k: [['char'], [12], [true]] };
    expect(await decodeBatchBody(JSON.stringify(base))).toMatchObject({ events: [{ seq: 0, t: 1.3, type: 'key', data: { hold: 1.2 } }] });
    const refused = [
      { ...base, v: 2 },
      { ...base, t: [] },
      { ...base, t: [0.5] },
      { ...base, c: 'z' },
      { ...base, k: [['char'], [1]] },
      {
        ...base,
        k: [
          ['char', 'char'],
          [1, 1],
          [true, true],
        ],
      },
      { ...base, k: [['char'], [1.5], [true]] },
      { ...base, c: 'o', o: [[0], [0], [2], ['type'], [true]], i: 'a' },
      { ...base, extra: 1 },
      { ...base, c: 'k'.repeat(1001), t: Array(1001).fill(0) },
    ];
    for (const body of refused) await expect(decodeBatchBody(JSON.stringify(body)), JSON.stringify(body).slice(0, 80)).rejects.toThrow(/compact batch/);
  });
});
