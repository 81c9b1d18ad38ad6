import { ORIGINS, ORIGIN_CODE, ORIGIN_LABEL, originName, type Origin } from '@veritas/schema';

/**
 * Where a character came from: the vocabulary and the classifier are @veritas/schema's (shared
 * with the analysis). Stored per character only transiently (in the gap buffer); at rest origins
 * are run-length spans: `len[i]` characters of origin `code[i]`.
 */
export { ORIGINS, ORIGIN_CODE, ORIGIN_LABEL, originName, type Origin };

/** Run-length origins: `len[i]` characters of origin `code[i]`; adjacent runs never share a code. */
export interface OriginRuns {
  readonly len: Uint32Array;
  readonly code: Uint8Array;
}

export interface OriginSpan {
  from: number;
  to: number;
  origin: Origin;
}

export const EMPTY_RUNS: OriginRuns = { len: new Uint32Array(0), code: new Uint8Array(0) };

/** A single run of `n` characters of one origin. */
export function singleRun(n: number, code: number): OriginRuns {
  return n === 0 ? EMPTY_RUNS : { len: Uint32Array.of(n), code: Uint8Array.of(code) };
}

/** Runs of a per-character code array (from..to). Adjacent equal codes merge. */
export function runsOfCodes(codes: Uint8Array, from = 0, to = codes.length): OriginRuns {
  let count = 0;
  for (let i = from; i < to; i++) if (i === from || codes[i] !== codes[i - 1]) count++;
  const len = new Uint32Array(count);
  const code = new Uint8Array(count);
  let r = -1;
  for (let i = from; i < to; i++) {
    const c = codes[i]!;
    if (r < 0 || code[r] !== c) {
      r++;
      code[r] = c;
    }
    len[r]!++;
  }
  return { len, code };
}

/** Builds runs from [length, code] pairs, merging neighbours and dropping empty runs. */
export function runsOf(pairs: readonly (readonly [number, number])[]): OriginRuns {
  const len: number[] = [];
  const code: number[] = [];
  for (const [n, c] of pairs) {
    if (n <= 0) continue;
    if (code.length > 0 && code[code.length - 1] === c) len[len.length - 1]! += n;
    else {
      len.push(n);
      code.push(c);
    }
  }
  return { len: Uint32Array.from(len), code: Uint8Array.from(code) };
}

export function runsLength(runs: OriginRuns): number {
  let n = 0;
  for (let i = 0; i < runs.len.length; i++) n += runs.len[i]!;
  return n;
}

/** The runs as spans with names, for display. */
export function runsToSpans(runs: OriginRuns): OriginSpan[] {
  const out: OriginSpan[] = [];
  let at = 0;
  for (let i = 0; i < runs.len.length; i++) {
    const n = runs.len[i]!;
    out.push({ from: at, to: at + n, origin: originName(runs.code[i]!) });
    at += n;
  }
  return out;
}

/** The origin of every character, expanded: for tests and small texts only. */
export function expandRuns(runs: OriginRuns): Uint8Array {
  const out = new Uint8Array(runsLength(runs));
  let at = 0;
  for (let i = 0; i < runs.len.length; i++) {
    out.fill(runs.code[i]!, at, at + runs.len[i]!);
    at += runs.len[i]!;
  }
  return out;
}

/** Characters per origin, e.g. for a legend with counts. */
export function originTotals(runs: OriginRuns): Record<Origin, number> {
  const out = Object.fromEntries(ORIGINS.map((o) => [o, 0])) as Record<Origin, number>;
  for (let i = 0; i < runs.len.length; i++) out[originName(runs.code[i]!)] += runs.len[i]!;
  return out;
}
