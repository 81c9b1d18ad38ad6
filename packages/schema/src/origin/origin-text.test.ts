import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ORIGIN_CODE } from './origins';
import { OriginText } from './origin-text';

const ORIGIN_PASTE_EXTERNAL = ORIGIN_CODE['paste-external'];
const ORIGIN_TYPED = ORIGIN_CODE.typed;

describe('OriginText (gap buffer)', () => {
  it('agrees with plain string splicing on random edits, including clamped out-of-range ones', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.array(fc.record({ pos: fc.nat(200), del: fc.nat(10), ins: fc.string({ maxLength: 30 }), paste: fc.boolean() }), { maxLength: 80 }),
        (initial, ops) => {
          const buf = new OriginText(initial, 8);
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
