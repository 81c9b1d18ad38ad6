import type { VeritasEvent } from '@veritas/schema';
import { ORIGIN_CODE, type OriginRuns } from './origin';

/** A keystroke counts for an insertion when the input falls between its press and release, give or take this. */
export const KEY_SLACK_MS = 25;
/** A clipboard paste event pairs with the paste op within this many events and milliseconds. */
const PASTE_PAIR_SEQS = 8;
const PASTE_PAIR_MS = 1000;
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

interface PasteEvent {
  seq: number;
  t: number;
  internal: boolean;
  used: boolean;
}

/** Clipboard paste events with whether each is internal: its hash matches an earlier copy or cut. */
export class ClipboardPastes {
  private readonly list: PasteEvent[] = [];
  private next = 0;

  private readonly copied = new Set<string>();

  constructor(events: Iterable<VeritasEvent> = []) {
    for (const e of events) this.add(e);
  }

  /** Adds a clipboard event (others are ignored), in event order. */
  add(e: VeritasEvent): void {
    if (e.type !== 'clipboard') return;
    const { action, hash } = e.data;
    const copied = this.copied;
    if (action === 'paste') {
      const internal = e.data.internal ?? (copied.has(hash) || [...copied].some((h) => h.startsWith(hash) || hash.startsWith(h)));
      this.list.push({ seq: e.seq, t: e.t, internal, used: false });
    } else copied.add(hash);
  }

  /** The unused clipboard paste nearest to a paste op, if one is close enough. */
  pair(seq: number, t: number): PasteEvent | undefined {
    while (this.next < this.list.length && this.list[this.next]!.seq < seq - PASTE_PAIR_SEQS) this.next++;
    let best: PasteEvent | undefined;
    for (let i = this.next; i < this.list.length; i++) {
      const p = this.list[i]!;
      if (p.seq > seq + PASTE_PAIR_SEQS) break;
      if (p.used || Math.abs(p.t - t) > PASTE_PAIR_MS) continue;
      if (!best || Math.abs(p.seq - seq) < Math.abs(best.seq - seq)) best = p;
    }
    if (best) best.used = true;
    return best;
  }
}

/** Recently deleted text with its origins: undo, redo and drag-moves put such text back. */
export class DeletionCache {
  private readonly items: { text: string; runs: OriginRuns }[] = [];
  constructor(private readonly size = 32) {}

  add(text: string, runs: OriginRuns): void {
    if (text.length === 0) return;
    this.items.push({ text, runs });
    if (this.items.length > this.size) this.items.shift();
  }

  find(text: string): OriginRuns | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.text === text) return this.items[i]!.runs;
    return undefined;
  }
}

export const CODE = ORIGIN_CODE;
