import { describe, expect, it } from 'vitest';
import { binsOf } from './histogram';

describe('binsOf', () => {
  it('splits the range into equal bins, counts each value once, and marks the bin of the marked value', () => {
    const bins = binsOf([0, 1, 2, 3, 6, null], 3, 3);
    expect(bins.map((b) => [b.from, b.to, b.count, b.marked])).toEqual([
      [0, 2, 2, false],
      [2, 4, 2, true],
      [4, 6, 1, false],
    ]);
  });
  it('puts the largest value in the last bin', () => {
    expect(binsOf([0, 10], 10, 5).at(-1)).toMatchObject({ count: 1, marked: true });
  });
  it('makes one bin when all values are equal, and none without values', () => {
    expect(binsOf([4, 4], 4)).toEqual([{ from: 4, to: 4, count: 2, marked: true }]);
    expect(binsOf([null, null], null)).toEqual([]);
  });
});
