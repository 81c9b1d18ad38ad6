import type { Distribution } from './types';

/**
 * Milliseconds in fixed bins, so percentiles need no stored samples and a fold split anywhere
 * gives the same answer: 1 ms bins to 2 s, then 64 log bins per doubling up to ~7 days.
 */
const LINEAR = 2048;
const PER_OCTAVE = 64;
const OCTAVES = 19;
export const HIST_BINS = LINEAR + PER_OCTAVE * OCTAVES;

export function binOf(ms: number): number {
  if (ms < LINEAR) return ms < 0 ? 0 : ms | 0;
  const b = LINEAR + Math.floor(Math.log2(ms / LINEAR) * PER_OCTAVE);
  return b < HIST_BINS ? b : HIST_BINS - 1;
}

/** Middle of a bin, in ms. */
export function valueOf(bin: number): number {
  if (bin < LINEAR) return bin + 0.5;
  const lo = LINEAR * Math.pow(2, (bin - LINEAR) / PER_OCTAVE);
  const hi = LINEAR * Math.pow(2, (bin - LINEAR + 1) / PER_OCTAVE);
  return (lo + hi) / 2;
}

/** A histogram with running sums (for mean and CV). */
export class Hist {
  readonly bins = new Uint32Array(HIST_BINS);
  n = 0;
  sum = 0;
  sumSq = 0;

  clone(): Hist {
    const h = new Hist();
    h.bins.set(this.bins);
    h.n = this.n;
    h.sum = this.sum;
    h.sumSq = this.sumSq;
    return h;
  }

  add(ms: number): void {
    this.bins[binOf(ms)]!++;
    this.n++;
    this.sum += ms;
    this.sumSq += ms * ms;
  }

  /** The q-quantile (0..1), as the middle of its bin; 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.n));
    let acc = 0;
    const bins = this.bins;
    for (let i = 0; i < HIST_BINS; i++) {
      acc += bins[i]!;
      if (acc >= target) return valueOf(i);
    }
    return valueOf(HIST_BINS - 1);
  }

  mean(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }

  cv(): number {
    if (this.n < 2) return 0;
    const m = this.sum / this.n;
    const variance = Math.max(0, this.sumSq / this.n - m * m);
    return m === 0 ? 0 : Math.sqrt(variance) / m;
  }

  /** Interquartile range ÷ median. */
  dispersion(): number {
    const m = this.quantile(0.5);
    return m === 0 ? 0 : (this.quantile(0.75) - this.quantile(0.25)) / m;
  }

  distribution(): Distribution {
    const q1 = this.quantile(0.25);
    const q3 = this.quantile(0.75);
    return {
      count: this.n,
      meanMs: round(this.mean()),
      medianMs: round(this.quantile(0.5)),
      q1Ms: round(q1),
      q3Ms: round(q3),
      iqrMs: round(q3 - q1),
      cv: round(this.cv(), 4),
      iqrOverMedian: round(this.dispersion(), 4),
    };
  }
}

export function round(x: number, digits = 1): number {
  if (!Number.isFinite(x)) return 0;
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

/** a ÷ b rounded, or 0 when there is nothing to divide by. */
export function ratio(a: number, b: number, digits = 4): number {
  return b > 0 ? round(a / b, digits) : 0;
}
