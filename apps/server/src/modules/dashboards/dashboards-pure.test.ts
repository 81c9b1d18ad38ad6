import { describe, expect, it } from 'vitest';
import { distributionOf, percentileRank } from './class-standing';
import { csvCell, csvOf } from '../../kernel/csv';

describe('class distributions', () => {
  it('takes quantiles between closest ranks and leaves out attempts without the measure', () => {
    expect(distributionOf([4, null, 1, 3, 2])).toEqual({ count: 4, min: 1, q1: 1.75, median: 2.5, q3: 3.25, max: 4, mean: 2.5 });
    expect(distributionOf([null])).toEqual({ count: 0, min: null, q1: null, median: null, q3: null, max: null, mean: null });
  });
  it('ranks a value by the share below it, equal values counted half', () => {
    const xs = [10, 20, 20, 40, null];
    expect(percentileRank(xs, 10)).toBe(12.5);
    expect(percentileRank(xs, 20)).toBe(50);
    expect(percentileRank(xs, 40)).toBe(87.5);
    expect(percentileRank(xs, null)).toBeNull();
    expect(percentileRank([null], 3)).toBeNull();
  });
});

describe('results CSV', () => {
  it('quotes as RFC 4180 says and ends lines with CRLF', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('Doe, Jane')).toBe('"Doe, Jane"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(0.25)).toBe('0.25');
    expect(csvCell(true)).toBe('true');
    expect(csvOf(['a', 'b'], [['x', 1]])).toBe('a,b\r\nx,1\r\n');
  });
  it('never lets a text cell start a formula', () => {
    for (const bad of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'])
      expect(csvCell(bad).replace(/^"/, '').startsWith("'"), bad).toBe(true);
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    // Numbers are written as numbers: a negative score would still be a number, not text.
    expect(csvCell(-1)).toBe('-1');
  });
});
