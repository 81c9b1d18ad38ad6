import { describe, expect, it } from 'vitest';
import { markBins } from './histogram';

const bins = [
  { from: 0, to: 2, count: 2 },
  { from: 2, to: 4, count: 2 },
  { from: 4, to: 6, count: 1 },
];

describe('markBins', () => {
  it('marks the bin holding the value, a value on an inner edge in the bin above it', () => {
    expect(markBins(bins, 3).map((b) => b.marked)).toEqual([false, true, false]);
    expect(markBins(bins, 2).map((b) => b.marked)).toEqual([false, true, false]);
    expect(markBins(bins, 0).map((b) => b.marked)).toEqual([true, false, false]);
  });
  it('puts the largest value in the last bin', () => {
    expect(markBins(bins, 6).map((b) => b.marked)).toEqual([false, false, true]);
  });
  it('marks nothing for no value or one outside the range, and keeps the counts', () => {
    expect(markBins(bins, null).some((b) => b.marked)).toBe(false);
    expect(markBins(bins, 7).some((b) => b.marked)).toBe(false);
    expect(markBins(bins, -1).some((b) => b.marked)).toBe(false);
    expect(markBins(bins, 3).map((b) => b.count)).toEqual([2, 2, 1]);
  });
  it('marks the one bin of a class whose values are all the same, and nothing without bins', () => {
    expect(markBins([{ from: 4, to: 4, count: 2 }], 4)).toEqual([{ from: 4, to: 4, count: 2, marked: true }]);
    expect(markBins([], 4)).toEqual([]);
  });
});
