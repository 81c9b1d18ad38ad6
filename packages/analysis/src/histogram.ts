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

/** Bins per chunk: a chunk's counts are held only once one of its bins has a value. */
const CHUNK_BITS = 5;
const CHUNK = 1 << CHUNK_BITS;
const CHUNKS = Math.ceil(HIST_BINS / CHUNK);
const NO_SLOT = 255;

/**
 * A histogram with running sums (for mean and CV).
 *
 * The bins are held in chunks of 32, allocated as values first fall in them, in one array that
 * grows by doubling: a live analyser keeps eight of these per session, and as one dense array
 * each (13 KB) they made up nine tenths of its memory. Typing fills a few dozen chunks at most.
 */
export class Hist {
  /** Slot of each chunk in `counts`, NO_SLOT while it has no value; null until the first add. */
  private slots: Uint8Array | null = null;
  private counts: Uint32Array | null = null;
  private used = 0;
  n = 0;
  sum = 0;
  sumSq = 0;

  clone(): Hist {
    const h = new Hist();
    h.slots = this.slots && this.slots.slice();
    h.counts = this.counts && this.counts.slice();
    h.used = this.used;
    h.n = this.n;
    h.sum = this.sum;
    h.sumSq = this.sumSq;
    return h;
  }

  add(ms: number): void {
    const b = binOf(ms);
    const c = b >> CHUNK_BITS;
    const slots = (this.slots ??= new Uint8Array(CHUNKS).fill(NO_SLOT));
    let slot = slots[c]!;
    if (slot === NO_SLOT) slot = slots[c] = this.newSlot();
    this.counts![(slot << CHUNK_BITS) | (b & (CHUNK - 1))]!++;
    this.n++;
    this.sum += ms;
    this.sumSq += ms * ms;
  }

  /** Bytes the bins hold (for the memory a live analyser keeps). */
  get binBytes(): number {
    return (this.slots?.byteLength ?? 0) + (this.counts?.byteLength ?? 0);
  }

  private newSlot(): number {
    const slot = this.used++;
    const need = this.used * CHUNK;
    if (!this.counts || this.counts.length < need) {
      const grown = new Uint32Array(Math.min(CHUNKS, Math.max(4, this.used * 2)) * CHUNK);
      if (this.counts) grown.set(this.counts);
      this.counts = grown;
    }
    return slot;
  }

  /** The q-quantile (0..1), as the middle of its bin; 0 when empty. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.n));
    let acc = 0;
    const slots = this.slots!;
    const counts = this.counts!;
    for (let c = 0; c < CHUNKS; c++) {
      const slot = slots[c]!;
      if (slot === NO_SLOT) continue;
      const base = slot << CHUNK_BITS;
      for (let i = 0; i < CHUNK; i++) {
        acc += counts[base + i]!;
        if (acc >= target) return valueOf((c << CHUNK_BITS) | i);
      }
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
