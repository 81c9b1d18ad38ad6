import { describe, expect, it } from 'vitest';
import { inSteps } from './consolidation-steps';

describe('inSteps', () => {
  const counts = new Map([
    ['a', 5],
    ['b', 10],
    ['c', 3],
    ['d', 40],
    ['e', 1],
  ]);
  it('splits sessions, in order, into runs whose alerts add up to the budget at most', () => {
    expect(inSteps(['a', 'b', 'c', 'd', 'e'], counts, 20)).toEqual([['a', 'b', 'c'], ['d'], ['e']]);
    expect(inSteps(['a', 'b', 'c', 'd', 'e'], counts, 100)).toEqual([['a', 'b', 'c', 'd', 'e']]);
  });
  it('gives a session over the budget a step of its own, and counts an unknown one as none', () => {
    expect(inSteps(['d', 'x', 'a'], counts, 10)).toEqual([['d'], ['x', 'a']]);
    expect(inSteps([], counts, 10)).toEqual([]);
  });
});
