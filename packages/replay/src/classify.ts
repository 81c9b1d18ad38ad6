import type { VeritasEvent } from '@veritas/schema';
import { ORIGIN_CODE } from './origin';

/** A keystroke counts for an insertion when the input falls between its press and release, give or take this. */
export const KEY_SLACK_MS = 25;
const INSERTING_KEYS = new Set(['char', 'space', 'enter', 'other']);

/** Press/release intervals of the keys that insert text, in release order (event order). */
export class KeyIntervals {
  private readonly press: number[] = [];
  private readonly release: number[] = [];
  any = false;

  constructor(events: Iterable<VeritasEvent> = []) {
    for (const e of events) this.add(e);
  }

  /** Adds a key event (others are ignored), in event order: how a session read page by page is collected. */
  add(e: VeritasEvent): void {
    if (e.type !== 'key') return;
    this.any = true;
    if (!INSERTING_KEYS.has(e.data.class)) return;
    this.press.push(e.t - e.data.hold);
    this.release.push(e.t);
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
