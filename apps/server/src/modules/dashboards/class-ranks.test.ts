import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { percentileRank } from './class-standing';
import { percentileRanks } from './class-ranks';

describe('percentileRanks', () => {
  it('gives each value the rank percentileRank gives it (ties, nulls and non-finite values included)', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: false }), fc.constantFrom(Infinity, -Infinity, NaN));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), (values) => {
        expect(percentileRanks(values)).toEqual(values.map((v) => percentileRank(values, v)));
      }),
      { numRuns: 500 },
    );
  });
});
