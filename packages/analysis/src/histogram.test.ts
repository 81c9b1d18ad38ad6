import { describe, expect, it } from 'vitest';
import { Hist } from './histogram';

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
});
