import { afterEach, describe, expect, it, vi } from 'vitest';
import { jitteredEvery } from './jittered-every';

describe('jitteredEvery', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('ticks first in the second half of the period, then every period, until stopped', () => {
    vi.useFakeTimers();
    const at: number[] = [];
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const stop = jitteredEvery(1000, () => at.push(Date.now()));
    const t0 = Date.now();
    vi.advanceTimersByTime(3800);
    expect(at.map((t) => t - t0)).toEqual([750, 1750, 2750, 3750]);
    stop();
    vi.advanceTimersByTime(5000);
    expect(at).toHaveLength(4);
  });

  it('spreads timers started together over the second half of the period', () => {
    vi.useFakeTimers();
    const firsts: number[] = [];
    const t0 = Date.now();
    const stops = Array.from({ length: 200 }, () => jitteredEvery(1000, () => firsts.push(Date.now() - t0)));
    vi.advanceTimersByTime(1000);
    for (const stop of stops) stop();
    expect(firsts).toHaveLength(200);
    expect(Math.min(...firsts)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...firsts)).toBeLessThanOrEqual(1000);
    // Not all in step: more than a few distinct instants.
    expect(new Set(firsts).size).toBeGreaterThan(50);
  });

  it('never ticks when stopped before its first tick', () => {
    vi.useFakeTimers();
    let ticks = 0;
    const stop = jitteredEvery(1000, () => ticks++);
    stop();
    vi.advanceTimersByTime(10_000);
    expect(ticks).toBe(0);
  });
});
