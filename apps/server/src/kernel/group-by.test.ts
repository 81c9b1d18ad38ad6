import { describe, expect, it } from 'vitest';
import { groupBy } from './group-by';

describe('groupBy', () => {
  it('groups items by key, keys and items in first-seen order, null a key like any other', () => {
    const items = [
      { t: 'b', id: 1 },
      { t: null, id: 2 },
      { t: 'a', id: 3 },
      { t: 'b', id: 4 },
    ];
    expect([...groupBy(items, (i) => i.t)].map(([k, v]) => [k, v.map((i) => i.id)])).toEqual([
      ['b', [1, 4]],
      [null, [2]],
      ['a', [3]],
    ]);
    expect(groupBy([], (i: number) => i).size).toBe(0);
  });
});
