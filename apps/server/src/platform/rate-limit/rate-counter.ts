/**
 * The rate-limit port: counts hits of a key in fixed windows. Drivers: in memory (one instance) and
 * Redis (shared by instances, with the in-memory counter kept alongside as its fallback).
 */
export interface RateCount {
  /** Hits of the key in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  ttlMs: number;
}

export interface RateCounter {
  hit(key: string, windowMs: number): Promise<RateCount>;
  /** The key's count in its current window without counting a hit (0 when it has none): for limits on failures only. */
  peek(key: string): Promise<RateCount>;
}

interface Window {
  count: number;
  endsAt: number;
}

/** Per-instance counters in fixed windows; holds at most `maxKeys` keys (expired ones go first, then the oldest). */
export class MemoryRateCounter implements RateCounter {
  private readonly windows = new Map<string, Window>();
  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  hitSync(key: string, windowMs: number): RateCount {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || w.endsAt <= now) {
      if (w) this.windows.delete(key);
      else if (this.windows.size >= this.maxKeys) this.evict(now);
      w = { count: 0, endsAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { count: w.count, ttlMs: w.endsAt - now };
  }

  async hit(key: string, windowMs: number): Promise<RateCount> {
    return this.hitSync(key, windowMs);
  }

  peekSync(key: string): RateCount {
    const now = this.now();
    const w = this.windows.get(key);
    return w && w.endsAt > now ? { count: w.count, ttlMs: w.endsAt - now } : { count: 0, ttlMs: 0 };
  }

  async peek(key: string): Promise<RateCount> {
    return this.peekSync(key);
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) if (w.endsAt <= now) this.windows.delete(k);
    // Still full: drop the oldest windows (a Map iterates in insertion order).
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
