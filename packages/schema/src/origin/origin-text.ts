import { ORIGIN_CODE } from './origins';

/**
 * The document model the analysis and the replay share: a gap buffer of UTF-16 code units with a
 * parallel buffer saying where each unit came from. Writing is local, so moving the gap costs
 * little, and nothing is allocated per op.
 *
 * An op that reaches past the text (a position past the end, a deletion longer than what
 * follows) is clamped to the text by `clampOp`, the one rule both packages apply: the analysis
 * counts only the characters really deleted and the replay shows the same text.
 */
export class OriginText {
  private chars: Uint16Array;
  private origin: Uint8Array;
  private gapStart = 0;
  private gapEnd: number;

  constructor(initial = '', capacity = 4096) {
    const cap = Math.max(capacity, initial.length * 2 + 64);
    this.chars = new Uint16Array(cap);
    this.origin = new Uint8Array(cap);
    this.gapEnd = cap;
    if (initial) this.splice(0, 0, initial, ORIGIN_CODE.initial);
  }

  get length(): number {
    return this.chars.length - (this.gapEnd - this.gapStart);
  }

  /** The code unit at i, or -1 outside the text. */
  charAt(i: number): number {
    if (i < 0 || i >= this.length) return -1;
    return i < this.gapStart ? this.chars[i]! : this.chars[i + (this.gapEnd - this.gapStart)]!;
  }

  private moveGap(pos: number): void {
    if (pos === this.gapStart) return;
    const gap = this.gapEnd - this.gapStart;
    if (pos < this.gapStart) {
      this.chars.copyWithin(pos + gap, pos, this.gapStart);
      this.origin.copyWithin(pos + gap, pos, this.gapStart);
    } else {
      this.chars.copyWithin(this.gapStart, this.gapEnd, pos + gap);
      this.origin.copyWithin(this.gapStart, this.gapEnd, pos + gap);
    }
    this.gapStart = pos;
    this.gapEnd = pos + gap;
  }

  private grow(need: number): void {
    const len = this.length;
    const cap = Math.max(this.chars.length * 2, len + need + 64);
    const chars = new Uint16Array(cap);
    const origin = new Uint8Array(cap);
    const tail = this.chars.length - this.gapEnd;
    chars.set(this.chars.subarray(0, this.gapStart));
    origin.set(this.origin.subarray(0, this.gapStart));
    chars.set(this.chars.subarray(this.gapEnd), cap - tail);
    origin.set(this.origin.subarray(this.gapEnd), cap - tail);
    this.chars = chars;
    this.origin = origin;
    this.gapEnd = cap - tail;
  }

  /**
   * At pos, removes del units and inserts ins, marking them with `origin` (one code for all, or
   * one per unit). The op is clamped to the text first (see clampOp). Returns units removed.
   */
  splice(pos: number, del: number, ins: string, origin: number | Uint8Array): number {
    const c = clampOp(this.length, pos, del);
    this.moveGap(c.pos);
    this.gapEnd += c.del;
    const n = ins.length;
    if (n > this.gapEnd - this.gapStart) this.grow(n);
    const chars = this.chars;
    const orig = this.origin;
    let g = this.gapStart;
    const one = typeof origin === 'number';
    for (let i = 0; i < n; i++) {
      chars[g] = ins.charCodeAt(i);
      orig[g] = one ? origin : origin[i]!;
      g++;
    }
    this.gapStart = g;
    return c.del;
  }

  /** Where the unit at i came from, or -1 outside the text. */
  originAt(i: number): number {
    if (i < 0 || i >= this.length) return -1;
    return i < this.gapStart ? this.origin[i]! : this.origin[i + (this.gapEnd - this.gapStart)]!;
  }

  /** The origin codes of from..to (clamped), one per unit. */
  originsOf(from: number, to: number): Uint8Array {
    const len = this.length;
    from = Math.max(0, Math.min(from, len));
    to = Math.max(from, Math.min(to, len));
    const out = new Uint8Array(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.originAt(i);
    return out;
  }

  /** Characters of each origin in the text now (out is indexed by origin code). */
  countOrigins(out: Float64Array): void {
    out.fill(0);
    const o = this.origin;
    for (let i = 0; i < this.gapStart; i++) out[o[i]!]!++;
    for (let i = this.gapEnd; i < o.length; i++) out[o[i]!]!++;
  }

  /** The text from..to (clamped), as a string. */
  slice(from: number, to: number): string {
    const len = this.length;
    from = Math.max(0, Math.min(from, len));
    to = Math.max(from, Math.min(to, len));
    let s = '';
    const CHUNK = 8192;
    for (let a = from; a < to; a += CHUNK) {
      const b = Math.min(to, a + CHUNK);
      const units: number[] = [];
      for (let i = a; i < b; i++) units.push(this.charAt(i));
      s += String.fromCharCode(...units);
    }
    return s;
  }

  toString(): string {
    return this.slice(0, this.length);
  }

  equals(text: string): boolean {
    if (text.length !== this.length) return false;
    for (let i = 0; i < text.length; i++) if (this.charAt(i) !== text.charCodeAt(i)) return false;
    return true;
  }
}

/**
 * An op as it applies to a text of `length` units: a position past the end moves to the end, a
 * deletion stops at the end. Recorders that lost an op and imports from other tools produce such
 * ops; clamping keeps the text the replay shows and the text the analysis measures the same.
 */
export function clampOp(length: number, pos: number, del: number): { pos: number; del: number } {
  const p = Math.max(0, Math.min(pos, length));
  return { pos: p, del: Math.max(0, Math.min(del, length - p)) };
}
