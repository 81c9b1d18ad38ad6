import { describe, expect, it } from 'vitest';
import { GroupCommitter } from './group-commit';

describe('GroupCommitter', () => {
  it('gathers concurrent items into one commit and answers each after it', async () => {
    const groups: number[][] = [];
    const gc = new GroupCommitter<number, number>(
      { maxWaitMs: 5, maxWeight: 1000, concurrency: 1 },
      () => 1,
      async (items) => {
        groups.push(items);
        return items.map((i) => i * 2);
      },
    );
    const results = await Promise.all([1, 2, 3, 4].map((i) => gc.submit(i)));
    expect(results).toEqual([2, 4, 6, 8]);
    expect(groups).toEqual([[1, 2, 3, 4]]);
  });

  it('flushes at once past the weight limit and gathers the next group during a commit', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommitter<number, number>(
      { maxWaitMs: 50, maxWeight: 2, concurrency: 1 },
      () => 1,
      async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate;
        return items;
      },
    );
    const a = [gc.submit(1), gc.submit(2)];
    const b = [gc.submit(3), gc.submit(4), gc.submit(5)];
    release();
    await Promise.all([...a, ...b]);
    expect(groups[0]).toEqual([1, 2]);
    expect(groups.flat()).toEqual([1, 2, 3, 4, 5]);
    expect(groups.length).toBe(2);
  });

  it('adds no wait when idle, and waits for company (busyWaitMs) only while another group commits', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommitter<number, number>(
      // A wait far longer than the test: a group that waited for its timer would time the test out.
      { maxWaitMs: 0, busyWaitMs: 600_000, maxWeight: 1000, concurrency: 2 },
      () => 1,
      async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate;
        return items;
      },
    );
    const first = gc.submit(1);
    // Idle: the first item went at once, alone.
    expect(groups).toEqual([[1]]);
    // A slot is free, but a group is committing: these wait for company instead of taking it.
    const rest = [gc.submit(2), gc.submit(3), gc.submit(4)];
    await new Promise((r) => setImmediate(r));
    expect(groups).toEqual([[1]]);
    // The commit in flight ends: what gathered goes at once, as one group, without the timer.
    release();
    await Promise.all([first, ...rest]);
    expect(groups).toEqual([[1], [2, 3, 4]]);
    // Idle again: the next item goes at once.
    await gc.submit(5);
    expect(groups.at(-1)).toEqual([5]);
    await gc.close();
  });

  it('fails every item of a group whose commit fails, and keeps working after', async () => {
    let fail = true;
    const gc = new GroupCommitter<number, number>(
      { maxWaitMs: 1, maxWeight: 100, concurrency: 1 },
      () => 1,
      async (items) => {
        if (fail) throw new Error('db down');
        return items;
      },
    );
    const r = await Promise.allSettled([gc.submit(1), gc.submit(2)]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await gc.submit(3)).toBe(3);
    await gc.close();
    await expect(gc.submit(4)).rejects.toThrow('closed');
  });

  describe('an item the database refuses fails alone', () => {
    class Refused extends Error {}
    /** A store that refuses, as a database would, any commit holding a negative item. */
    function refusingStore(options: { maxWeight: number }) {
      const committed: number[] = [];
      const attempts: number[][] = [];
      const gc = new GroupCommitter<number, number>(
        { maxWaitMs: 60_000, maxWeight: options.maxWeight, concurrency: 1, isolate: (e) => e instanceof Refused },
        () => 1,
        async (items) => {
          attempts.push(items);
          if (items.some((i) => i < 0)) throw new Refused(`refused ${items.filter((i) => i < 0).join(',')}`);
          committed.push(...items);
          return items.map((i) => i * 10);
        },
      );
      return { gc, committed, attempts };
    }

    it('commits the rest of the group in order and rejects only the refused item', async () => {
      const { gc, committed, attempts } = refusingStore({ maxWeight: 7 });
      const r = await Promise.allSettled([1, 2, 3, -4, 5, 6, 7].map((i) => gc.submit(i)));
      expect(attempts[0]).toEqual([1, 2, 3, -4, 5, 6, 7]);
      expect(r.map((x) => (x.status === 'fulfilled' ? x.value : 'refused'))).toEqual([10, 20, 30, 'refused', 50, 60, 70]);
      expect((r[3] as PromiseRejectedResult).reason).toBeInstanceOf(Refused);
      expect(committed).toEqual([1, 2, 3, 5, 6, 7]);
      // Bisection: a handful of commits, not one per item.
      expect(attempts.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(7)));
    });

    it('isolates several refused items of one group', async () => {
      const { gc, committed } = refusingStore({ maxWeight: 6 });
      const r = await Promise.allSettled([-1, 2, 3, -4, 5, -6].map((i) => gc.submit(i)));
      expect(r.map((x) => x.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
      expect(committed).toEqual([2, 3, 5]);
    });

    it("fails the whole group at once, without retrying, on an error that is no item's fault", async () => {
      const attempts: number[][] = [];
      const gc = new GroupCommitter<number, number>(
        { maxWaitMs: 60_000, maxWeight: 4, concurrency: 1, isolate: (e) => e instanceof Refused },
        () => 1,
        async (items) => {
          attempts.push(items);
          throw new Error('database unavailable');
        },
      );
      const r = await Promise.allSettled([1, 2, 3, 4].map((i) => gc.submit(i)));
      expect(r.every((x) => x.status === 'rejected')).toBe(true);
      expect(attempts).toEqual([[1, 2, 3, 4]]);
    });
  });
});
