import type { Flag } from '@veritas/schema';
import type { ReplayIndex } from './replay-index';
import { lowerBound, upperBound } from './search';
import type { AwaySpan, MarkPoint, PasteMark, ViolationPoint } from './types';

/** A flag as @veritas/schema defines it (the analysis produces it); replay only places it on the timeline. */
export type AnalysisFlag = Flag;

export type PlacedFlag = AnalysisFlag & {
  /** Position in the list, stable for the viewer to key on. */
  id: number;
  /** Clamped to the session's span. */
  tFrom: number;
  tTo: number;
};

export interface Density {
  t0: number;
  bucketMs: number;
  /** Text ops, characters inserted + removed, and key presses per bucket. */
  ops: Uint32Array;
  chars: Uint32Array;
  keys: Uint32Array;
}

export interface Pause {
  tFrom: number;
  tTo: number;
  ms: number;
  /** The first seq after the pause: where the writing resumed. */
  seqAfter: number;
}

export interface Stretch {
  tFrom: number;
  tTo: number;
}

export interface Timeline {
  t0: number;
  t1: number;
  density: Density;
  pauses: Pause[];
  idle: Stretch[];
  away: AwaySpan[];
  pastes: PasteMark[];
  marks: MarkPoint[];
  violations: ViolationPoint[];
  flags: PlacedFlag[];
}

export interface TimelineOptions {
  /** Buckets of activity density (the scrubber's width in pixels is a good choice). Default 200. */
  buckets?: number;
  /** A pause is a gap in writing activity (ops and key presses) of at least this. Default 2000 ms (Inputlog). */
  pauseMs?: number;
  /** An idle stretch, which playback may skip, is a gap between any events of at least this. Default 3000 ms. */
  idleMs?: number;
  flags?: readonly AnalysisFlag[];
}

/** Activity per bucket between tFrom and tTo. */
export function density(index: ReplayIndex, buckets: number, tFrom = index.t0, tTo = index.t1): Density {
  const n = Math.max(1, Math.floor(buckets));
  const bucketMs = Math.max(1e-3, (tTo - tFrom) / n);
  const ops = new Uint32Array(n);
  const chars = new Uint32Array(n);
  const keys = new Uint32Array(n);
  const bucket = (t: number) => Math.min(n - 1, Math.floor((t - tFrom) / bucketMs));
  const o = index.data.ops;
  for (let i = lowerBound(o.t, tFrom), end = upperBound(o.t, tTo); i < end; i++) {
    const b = bucket(o.t[i]!);
    ops[b]!++;
    chars[b]! += o.del[i]! + o.ins[i]!.length;
  }
  const k = index.data.keys;
  for (let i = lowerBound(k, tFrom), end = upperBound(k, tTo); i < end; i++) keys[bucket(k[i]!)]!++;
  return { t0: tFrom, bucketMs, ops, chars, keys };
}

/** Gaps of at least minMs between writing activity (text ops and key presses, merged in time order). */
export function pauses(index: ReplayIndex, minMs = 2000): Pause[] {
  const o = index.data.ops;
  const k = index.data.keys;
  const out: Pause[] = [];
  let i = 0;
  let j = 0;
  let prev = -Infinity;
  while (i < o.t.length || j < k.length) {
    const takeOp = j >= k.length || (i < o.t.length && o.t[i]! <= k[j]!);
    const t = takeOp ? o.t[i]! : k[j]!;
    if (t - prev >= minMs && prev > -Infinity) {
      const seqAfter = takeOp ? o.seq[i]! : index.seqAtTime(t) + 1;
      out.push({ tFrom: prev, tTo: t, ms: t - prev, seqAfter });
    }
    if (t > prev) prev = t;
    if (takeOp) i++;
    else j++;
  }
  return out;
}

/** Gaps of at least minMs between consecutive events of any kind: what playback can skip. */
export function idleStretches(index: ReplayIndex, minMs = 3000): Stretch[] {
  const t = index.data.clock.t;
  const out: Stretch[] = [];
  for (let i = 1; i < t.length; i++) if (t[i]! - t[i - 1]! >= minMs) out.push({ tFrom: t[i - 1]!, tTo: t[i]! });
  return out;
}

/** Flags from analysis placed at their moments, clamped to the session and sorted by time. */
export function placeFlags(index: ReplayIndex, flags: readonly AnalysisFlag[]): PlacedFlag[] {
  const clamp = (t: number) => Math.min(index.t1, Math.max(index.t0, Number.isFinite(t) ? t : index.t0));
  return flags
    .map((f, id) => {
      const a = clamp(f.evidence.tFrom);
      const b = clamp(f.evidence.tTo);
      return { ...f, id, tFrom: Math.min(a, b), tTo: Math.max(a, b) };
    })
    .sort((x, y) => x.tFrom - y.tFrom || x.id - y.id);
}

/** The timeline model the viewer draws under its scrubber. */
export function buildTimeline(index: ReplayIndex, options: TimelineOptions = {}): Timeline {
  const d = index.data;
  return {
    t0: index.t0,
    t1: index.t1,
    density: density(index, options.buckets ?? 200),
    pauses: pauses(index, options.pauseMs),
    idle: idleStretches(index, options.idleMs),
    away: d.away,
    pastes: d.pastes,
    marks: d.marks,
    violations: d.violations,
    flags: placeFlags(index, options.flags ?? []),
  };
}

/** Time spent away from the page (blurred or hidden), in ms. */
export function timeAway(index: ReplayIndex): number {
  return index.data.away.reduce((s, a) => s + (a.tTo - a.tFrom), 0);
}

/** Where playback that skips idle stretches should go from time t: past the stretch t falls in, keeping a short lead. */
export function skipIdle(idle: readonly Stretch[], t: number, leadMs = 500): number {
  let lo = 0;
  let hi = idle.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (idle[mid]!.tTo <= t) lo = mid + 1;
    else hi = mid;
  }
  const s = idle[lo];
  if (s && t >= s.tFrom + leadMs && t < s.tTo - leadMs) return s.tTo - leadMs;
  return t;
}
