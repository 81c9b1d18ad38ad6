import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ORIGIN_PASTE_EXTERNAL, ORIGIN_TYPED, TextBuffer } from './text-buffer';
import { Hist } from './histogram';

describe('TextBuffer (gap buffer)', () => {
  it('agrees with plain string splicing on random edits, including clamped out-of-range ones', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.array(fc.record({ pos: fc.nat(200), del: fc.nat(10), ins: fc.string({ maxLength: 30 }), paste: fc.boolean() }), { maxLength: 80 }),
        (initial, ops) => {
          const buf = new TextBuffer(initial, 8);
          let s = initial;
          let pasted = 0;
          for (const o of ops) {
            const pos = Math.min(o.pos, s.length);
            const del = Math.min(o.del, s.length - pos);
            for (let i = pos; i < pos + del; i++) pasted -= buf.originAt(i) === ORIGIN_PASTE_EXTERNAL ? 1 : 0;
            buf.splice(o.pos, o.del, o.ins, o.paste ? ORIGIN_PASTE_EXTERNAL : ORIGIN_TYPED);
            s = s.slice(0, pos) + o.ins + s.slice(pos + del);
            if (o.paste) pasted += o.ins.length;
            expect(buf.length).toBe(s.length);
          }
          expect(buf.toString()).toBe(s);
          expect(buf.equals(s)).toBe(true);
          const counts = new Float64Array(8);
          buf.countOrigins(counts);
          expect(counts[ORIGIN_PASTE_EXTERNAL]).toBe(pasted);
        },
      ),
      { numRuns: 200 },
    );
  });
});

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
