import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Hist, HIST_BINS, binOf, valueOf } from './histogram';

/** The dense histogram Hist stood for before its bins were chunked: one count per bin. */
function denseQuantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const bins = new Uint32Array(HIST_BINS);
  for (const v of values) bins[binOf(v)]!++;
  const target = Math.max(1, Math.ceil(q * values.length));
  let acc = 0;
  for (let i = 0; i < HIST_BINS; i++) {
    acc += bins[i]!;
    if (acc >= target) return valueOf(i);
  }
  return valueOf(HIST_BINS - 1);
}

const QS = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 1];

describe('Hist', () => {
  it('gives quantiles within a bin of the exact ones, and mean and CV exactly', () => {
    const h = new Hist();
    const xs = [100, 120, 130, 150, 170, 200, 260, 900, 2500, 12_000];
    for (const x of xs) h.add(x);
    expect(h.quantile(0.5)).toBeCloseTo(170.5, 5);
    expect(h.quantile(0.9)).toBeGreaterThan(2450);
    expect(h.quantile(0.9)).toBeLessThan(2560);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(h.mean()).toBeCloseTo(mean, 9);
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(h.cv()).toBeCloseTo(sd / mean, 9);
    expect(new Hist().quantile(0.5)).toBe(0);
  });

  it('answers every quantile as one count per bin does, whatever the values and their order (property)', () => {
    const value = fc.oneof(
      fc.integer({ min: -50, max: 3_000 }),
      fc.double({ min: -1, max: 7 * 24 * 3_600_000, noNaN: true }),
      fc.constantFrom(0, 2047.9, 2048, 1e12, Number.POSITIVE_INFINITY),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 400 }), (values) => {
        const h = new Hist();
        for (const v of values) h.add(v);
        for (const q of QS) expect(h.quantile(q)).toBe(denseQuantile(values, q));
        expect(h.n).toBe(values.length);
      }),
      { numRuns: 300 },
    );
  });

  it('clones into an independent histogram', () => {
    const h = new Hist();
    for (const v of [10, 20, 5_000]) h.add(v);
    const c = h.clone();
    c.add(90_000);
    c.add(90_000);
    expect(h.quantile(1)).toBe(denseQuantile([10, 20, 5_000], 1));
    expect(c.quantile(1)).toBe(denseQuantile([10, 20, 5_000, 90_000, 90_000], 1));
    expect(new Hist().clone().quantile(0.5)).toBe(0);
  });

  it('holds no bins until a value comes, and only the chunks its values fall in', () => {
    expect(new Hist().binBytes).toBe(0);
    const typing = new Hist();
    // Inter-key intervals of a steady typist: 80–400 ms, and a few longer pauses.
    for (let i = 0; i < 5_000; i++) typing.add(80 + ((i * 37) % 320));
    for (const pause of [2_500, 9_000, 40_000]) typing.add(pause);
    // Dense, the bins were 13,056 bytes whatever the values.
    expect(typing.binBytes).toBeLessThan(4_000);
  });
});
