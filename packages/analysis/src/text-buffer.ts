/**
 * The document as a gap buffer of UTF-16 code units with a parallel buffer saying where each unit
 * came from. Writing is local, so moving the gap costs little, and nothing is allocated per op:
 * the fold rebuilds the text at a million events a second.
 */
export const ORIGIN_TYPED = 0;
export const ORIGIN_PASTE_INTERNAL = 1;
export const ORIGIN_PASTE_EXTERNAL = 2;
export const ORIGIN_INPUT_METHOD = 3;
export const ORIGIN_OTHER = 4;
export const ORIGIN_INITIAL = 5;

export class TextBuffer {
  private chars: Uint16Array;
  private origin: Uint8Array;
  private gapStart = 0;
  private gapEnd: number;

  constructor(initial = '', capacity = 4096) {
    const cap = Math.max(capacity, initial.length * 2 + 64);
    this.chars = new Uint16Array(cap);
    this.origin = new Uint8Array(cap);
    this.gapEnd = cap;
    if (initial) this.splice(0, 0, initial, ORIGIN_INITIAL);
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
   * At pos, removes del units and inserts ins, marking them with origin. Positions past the end
   * are clamped (a recorder that lost an op must not crash the analysis). Returns units removed.
   */
  splice(pos: number, del: number, ins: string, origin: number): number {
    const len = this.length;
    if (pos > len) pos = len;
    if (pos < 0) pos = 0;
    if (del > len - pos) del = len - pos;
    this.moveGap(pos);
    this.gapEnd += del;
    const n = ins.length;
    if (n > this.gapEnd - this.gapStart) this.grow(n);
    const chars = this.chars;
    const orig = this.origin;
    let g = this.gapStart;
    for (let i = 0; i < n; i++) {
      chars[g] = ins.charCodeAt(i);
      orig[g] = origin;
      g++;
    }
    this.gapStart = g;
    return del;
  }

  /** Where the unit at i came from, or -1 outside the text. */
  originAt(i: number): number {
    if (i < 0 || i >= this.length) return -1;
    return i < this.gapStart ? this.origin[i]! : this.origin[i + (this.gapEnd - this.gapStart)]!;
  }

  /** Characters of each origin in the text now. */
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

  /** Replaces the whole text (a snapshot that disagrees with what the ops built). */
  reset(text: string, origin: number): void {
    this.gapStart = 0;
    this.gapEnd = this.chars.length;
    this.splice(0, 0, text, origin);
  }

  equals(text: string): boolean {
    if (text.length !== this.length) return false;
    for (let i = 0; i < text.length; i++) if (this.charAt(i) !== text.charCodeAt(i)) return false;
    return true;
  }
}
