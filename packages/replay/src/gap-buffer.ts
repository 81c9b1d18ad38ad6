import { runsOfCodes, type OriginRuns } from './origin';

const DECODE_CHUNK = 8192;

function decode(chars: Uint16Array, from: number, to: number, parts: string[]): void {
  for (let a = from; a < to; a += DECODE_CHUNK) {
    const sub = chars.subarray(a, Math.min(to, a + DECODE_CHUNK));
    parts.push(String.fromCharCode.apply(null, sub as unknown as number[]));
  }
}

/**
 * A gap buffer of UTF-16 code units with a parallel origin code per unit. Edits near the last edit
 * (what typing does) cost the size of the edit; `moved` counts the units shifted, so a caller can
 * bound the work of replaying a stretch of edits.
 */
export class GapBuffer {
  private chars: Uint16Array;
  private codes: Uint8Array;
  private gapStart = 0;
  private gapEnd: number;
  /** Code units shifted while moving the gap since the last reset. */
  moved = 0;

  constructor(capacity = 1024) {
    this.chars = new Uint16Array(capacity);
    this.codes = new Uint8Array(capacity);
    this.gapEnd = capacity;
  }

  get length(): number {
    return this.chars.length - (this.gapEnd - this.gapStart);
  }

  /** Where the gap sits: the position of the last edit. */
  get gapAt(): number {
    return this.gapStart;
  }

  /** Replaces the whole content, with the gap at `gapAt`. */
  reset(text: string, runs: OriginRuns, gapAt = text.length): void {
    const n = text.length;
    if (this.chars.length < n + 64) this.alloc(Math.max(1024, n * 2 + 64));
    const cap = this.chars.length;
    const g = Math.min(Math.max(0, gapAt), n);
    const tail = n - g;
    const chars = this.chars;
    for (let i = 0; i < g; i++) chars[i] = text.charCodeAt(i);
    const base = cap - tail;
    for (let i = 0; i < tail; i++) chars[base + i] = text.charCodeAt(g + i);
    let at = 0;
    for (let r = 0; r < runs.len.length; r++) {
      const len = runs.len[r]!;
      const code = runs.code[r]!;
      const a = at;
      const b = at + len;
      // logical [a, b) maps to physical [a, min(b, g)) and [base + max(a, g) - g, base + b - g)
      if (a < g) this.codes.fill(code, a, Math.min(b, g));
      if (b > g) this.codes.fill(code, base + Math.max(a, g) - g, base + b - g);
      at = b;
    }
    this.gapStart = g;
    this.gapEnd = base;
    this.moved = 0;
  }

  private alloc(capacity: number): void {
    this.chars = new Uint16Array(capacity);
    this.codes = new Uint8Array(capacity);
    this.gapStart = 0;
    this.gapEnd = capacity;
  }

  private moveGap(pos: number): void {
    const { chars, codes } = this;
    if (pos < this.gapStart) {
      const n = this.gapStart - pos;
      chars.copyWithin(this.gapEnd - n, pos, this.gapStart);
      codes.copyWithin(this.gapEnd - n, pos, this.gapStart);
      this.gapStart = pos;
      this.gapEnd -= n;
      this.moved += n;
    } else if (pos > this.gapStart) {
      const n = pos - this.gapStart;
      chars.copyWithin(this.gapStart, this.gapEnd, this.gapEnd + n);
      codes.copyWithin(this.gapStart, this.gapEnd, this.gapEnd + n);
      this.gapStart += n;
      this.gapEnd += n;
      this.moved += n;
    }
  }

  private ensureGap(n: number): void {
    const gap = this.gapEnd - this.gapStart;
    if (gap >= n) return;
    const len = this.length;
    const cap = Math.max(this.chars.length * 2, len + n + 1024);
    const chars = new Uint16Array(cap);
    const codes = new Uint8Array(cap);
    chars.set(this.chars.subarray(0, this.gapStart));
    codes.set(this.codes.subarray(0, this.gapStart));
    const tail = this.chars.length - this.gapEnd;
    chars.set(this.chars.subarray(this.gapEnd), cap - tail);
    codes.set(this.codes.subarray(this.gapEnd), cap - tail);
    this.chars = chars;
    this.codes = codes;
    this.gapEnd = cap - tail;
  }

  /**
   * At `pos`, removes `del` units and inserts `ins`, all of origin `code` unless `insRuns` gives
   * the inserted units' origins. `pos` and `del` are clamped to the text. Returns the clamped pos/del.
   */
  splice(pos: number, del: number, ins: string, code: number, insRuns?: OriginRuns): void {
    const len = this.length;
    const p = pos > len ? len : pos;
    const d = del > len - p ? len - p : del;
    this.moveGap(p);
    this.gapEnd += d;
    const n = ins.length;
    if (n === 0) return;
    this.ensureGap(n);
    const at = this.gapStart;
    const chars = this.chars;
    for (let i = 0; i < n; i++) chars[at + i] = ins.charCodeAt(i);
    if (insRuns && insRuns.len.length > 0) {
      let o = at;
      for (let r = 0; r < insRuns.len.length && o < at + n; r++) {
        const e = Math.min(at + n, o + insRuns.len[r]!);
        this.codes.fill(insRuns.code[r]!, o, e);
        o = e;
      }
      if (o < at + n) this.codes.fill(code, o, at + n);
    } else {
      this.codes.fill(code, at, at + n);
    }
    this.gapStart += n;
  }

  /** The text between logical positions from and to. */
  slice(from = 0, to = this.length): string {
    const parts: string[] = [];
    const g = this.gapStart;
    const off = this.gapEnd - g;
    if (from < g) decode(this.chars, from, Math.min(to, g), parts);
    if (to > g) decode(this.chars, Math.max(from, g) + off, to + off, parts);
    return parts.length === 1 ? parts[0]! : parts.join('');
  }

  toString(): string {
    return this.slice(0, this.length);
  }

  /** The origins between logical positions from and to, as runs. */
  runs(from = 0, to = this.length): OriginRuns {
    const g = this.gapStart;
    if (to <= g) return runsOfCodes(this.codes, from, to);
    const off = this.gapEnd - g;
    if (from >= g) return runsOfCodes(this.codes, from + off, to + off);
    // The range spans the gap: close it temporarily at `to` is costlier than copying the codes.
    const tmp = new Uint8Array(to - from);
    tmp.set(this.codes.subarray(from, g), 0);
    tmp.set(this.codes.subarray(this.gapEnd, to + off), g - from);
    return runsOfCodes(tmp);
  }

  /** The origin code at logical position i. */
  codeAt(i: number): number {
    return this.codes[i < this.gapStart ? i : i + this.gapEnd - this.gapStart]!;
  }

  /** Whether `needle` occurs in the text (for telling an internal paste when no clipboard event says). */
  includes(needle: string): boolean {
    if (needle.length === 0 || needle.length > this.length) return needle.length === 0;
    return this.toString().includes(needle);
  }
}
