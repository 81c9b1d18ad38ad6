/**
 * A seeded pseudo-random generator. Math.random cannot be seeded, and every simulated session must
 * be reproducible from its seed (tests cite fixed seeds, the bench must be re-runnable); mulberry32
 * is five lines, fast, has no dependency, and its quality is ample for simulation (not for secrets).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distributions on top of mulberry32, the ones typing research uses (log-normal intervals). */
export class Rng {
  private readonly u: () => number;
  constructor(seed: number) {
    this.u = mulberry32(seed);
  }
  next(): number {
    return this.u();
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.u();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor((hi - lo + 1) * this.u());
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.u() * items.length)]!;
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    const u1 = 1 - this.u();
    const u2 = this.u();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
  /** Log-normal with the given median and log-sd: how inter-key intervals and pauses are spread. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

/**
 * A stand-in for the recorder's SHA-256 clipboard hash: two FNV-1a passes give 16 hex digits.
 * The simulator needs only "same text, same hash" and must stay synchronous.
 */
export function textHash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ (c + 0x9e37), 0x01000193);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
