import { describe, expect, it } from 'vitest';
import { coalescedByKey } from './coalesced-by-key';

describe('coalescedByKey', () => {
  it('answers a burst of calls with the run in flight and one run after it, per key', async () => {
    const runs: { key: string; seen: number }[] = [];
    let asked = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const call = coalescedByKey(async (key) => {
      const seen = asked;
      runs.push({ key, seen });
      if (runs.length === 1) await gate;
    });
    asked = 1;
    const first = call('a');
    asked = 2;
    const during = Array.from({ length: 5 }, () => call('a'));
    const other = call('b');
    release();
    await Promise.all([first, ...during, other]);
    // a: the first run, then one run for the five calls made while it ran, which saw all five asked.
    expect(runs.filter((r) => r.key === 'a')).toEqual([
      { key: 'a', seen: 1 },
      { key: 'a', seen: 2 },
    ]);
    expect(runs.filter((r) => r.key === 'b')).toHaveLength(1);
  });

  it('a run that fails fails its callers, and the next call runs again', async () => {
    let fail = true;
    let count = 0;
    const call = coalescedByKey(async () => {
      count++;
      if (fail) throw new Error('refused');
    });
    await expect(call('a')).rejects.toThrow('refused');
    fail = false;
    await call('a');
    expect(count).toBe(2);
  });
});
