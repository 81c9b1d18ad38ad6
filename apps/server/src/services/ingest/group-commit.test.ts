import { describe, expect, it } from 'vitest';
import { GroupCommitter } from './group-commit';

describe('GroupCommitter', () => {
  it('gathers concurrent items into one commit and answers each after it', async () => {
    const groups: number[][] = [];
    const gc = new GroupCommitter<number, number>({ maxWaitMs: 5, maxWeight: 1000, concurrency: 1 }, () => 1, async (items) => {
      groups.push(items);
      return items.map((i) => i * 2);
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(groups).toEqual([[1, 2, 3, 4]]);
  });

  it('flushes at once past the weight limit and gathers the next group during a commit', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommitter<number, number>({ maxWaitMs: 50, maxWeight: 2, concurrency: 1 }, () => 1, async (items) => {
      groups.push(items);
      if (groups.length === 1) await gate;
      return items;
    });
    const a = [gc.submit(1), gc.submit(2)];
    const b = [gc.submit(3), gc.submit(4), gc.submit(5)];
    release();
    await Promise.all([...a, ...b]);
    expect(groups[0]).toEqual([1, 2]);
    expect(groups.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(groups.length).toBe(2);
  });

  it('fails every item of a group whose commit fails, and keeps working after', async () => {
    let fail = true;
    const gc = new GroupCommitter<number, number>({ maxWaitMs: 1, maxWeight: 100, concurrency: 1 }, () => 1, async (items) => {
      if (fail) throw new Error('db down');
      return items;
    });
    const r = await Promise.allSettled([gc.submit(1), gc.submit(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await gc.submit(3)).toBe(3);
    await gc.close();
    await expect(gc.submit(4)).rejects.toThrow('closed');
  });
});
