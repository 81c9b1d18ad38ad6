import type { VeritasEvent } from '@veritas/schema';
import { ORIGIN_CODE } from './origin';

/** A keystroke counts for an insertion when the input falls between its press and release, give or take this. */
export const KEY_SLACK_MS = 25;
const INSERTING_KEYS = new Set(['char', 'space', 'enter', 'other']);

/** Press/release intervals of the keys that insert text, in release order (event order). */
export class KeyIntervals {
  private readonly press: Float64Array;
  private readonly release: Float64Array;
  readonly any: boolean;

  constructor(events: readonly VeritasEvent[]) {
    const press: number[] = [];
    const release: number[] = [];
    let any = false;
    for (const e of events) {
      if (e.type !== 'key') continue;
      any = true;
      if (!INSERTING_KEYS.has(e.data.class)) continue;
      press.push(e.t - e.data.hold);
      release.push(e.t);
    }
    this.press = Float64Array.from(press);
    this.release = Float64Array.from(release);
    this.any = any;
  }

  /** Whether an inserting key was down at time t. */
  covers(t: number): boolean {
    const rel = this.release;
    let lo = 0;
    let hi = rel.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rel[mid]! < t - KEY_SLACK_MS) lo = mid + 1;
      else hi = mid;
    }
    // Keys released after t - slack, in release order; a long hold may sit a few keys later.
    for (let i = lo; i < rel.length && i < lo + 16; i++) if (this.press[i]! <= t + KEY_SLACK_MS) return true;
    return false;
  }
}

export const CODE = ORIGIN_CODE;
