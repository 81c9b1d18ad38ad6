/**
 * A latency histogram that processes can send each other and merge: 0.1 ms buckets below 100 ms,
 * 1 ms buckets up to 120 s (beyond: the last bucket).
 */
export type HistogramData = [bucket: number, count: number][];

const FINE = 1000;
const LAST = FINE + 120_000;

const bucketOf = (ms: number) => (ms < 100 ? Math.max(0, Math.floor(ms * 10)) : Math.min(LAST, FINE + Math.floor(ms - 100)));
const msOf = (bucket: number) => (bucket < FINE ? (bucket + 0.5) / 10 : 100 + (bucket - FINE) + 0.5);

export class Histogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  max = 0;

  add(ms: number): void {
    const b = bucketOf(ms);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  merge(data: HistogramData): void {
    for (const [b, n] of data) {
      this.counts.set(b, (this.counts.get(b) ?? 0) + n);
      this.count += n;
      this.max = Math.max(this.max, msOf(b));
    }
  }

  data(): HistogramData {
    return [...this.counts.entries()];
  }

  /** The latency under which a fraction `q` of the samples fall (NaN without samples). */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.ceil(q * this.count);
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return msOf(b);
    }
    return this.max;
  }
}
