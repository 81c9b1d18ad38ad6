import type { Bundle, VeritasEvent } from '@veritas/schema';
import { GapBuffer } from './gap-buffer';
import { applyOp, buildKeyframes, DEFAULT_KEYFRAME_EVERY, initialRunsOf, type KeyframeOptions } from './keyframes';
import { buildReplay, type BuildOptions } from './build';
import { ORIGIN_CODE, type OriginRuns } from './origin';
import { upperBound } from './search';
import type { Caret, Keyframe, ReplayData, ReplayState } from './types';

/**
 * The replay index of one session: its data plus keyframes, so the text at any seq or time costs
 * one keyframe (found by binary search) plus at most K ops.
 */
export class ReplayIndex {
  /** The keyframe interval K: no seek applies more ops than this on top of a keyframe. */
  readonly keyframeEvery: number;
  private readonly scratch = new GapBuffer();

  constructor(
    readonly data: ReplayData,
    readonly keyframes: readonly Keyframe[],
    keyframeEvery: number,
  ) {
    this.keyframeEvery = keyframeEvery;
  }

  /** Rebuilds keyframes for data that came without them (the compact form). */
  static fromData(data: ReplayData, options: KeyframeOptions = {}): ReplayIndex {
    const init = data.session.initialText;
    const buf = new GapBuffer(Math.max(1024, init.length * 2));
    const keyframes = buildKeyframes(buf, init, initialRunsOf(init, ORIGIN_CODE.initial), data.ops, options);
    return new ReplayIndex(data, keyframes, Math.max(1, Math.floor(options.keyframeEvery ?? DEFAULT_KEYFRAME_EVERY)));
  }

  get opCount(): number {
    return this.data.ops.seq.length;
  }
  get t0(): number {
    return this.data.session.t0;
  }
  get t1(): number {
    return this.data.session.t1;
  }
  get firstSeq(): number {
    return this.data.session.firstSeq;
  }
  get lastSeq(): number {
    return this.data.session.lastSeq;
  }

  /** How many ops happened at or before seq. */
  opsUpTo(seq: number): number {
    return upperBound(this.data.ops.seq, seq);
  }

  /** The keyframe to start from to reach a state with opCount ops applied. */
  keyframeFor(opCount: number): Keyframe {
    let lo = 0;
    let hi = this.keyframes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keyframes[mid]!.opCount <= opCount) lo = mid + 1;
      else hi = mid;
    }
    return this.keyframes[Math.max(0, lo - 1)]!;
  }

  /** The seq of the last event at or before time t; firstSeq - 1 before the first event. */
  seqAtTime(t: number): number {
    const i = upperBound(this.data.clock.t, t);
    return i === 0 ? this.firstSeq - 1 : this.data.clock.seq[i - 1]!;
  }

  /** The time of the event with this seq (or the last before it). */
  timeOfSeq(seq: number): number {
    const i = upperBound(this.data.clock.seq, seq);
    return i === 0 ? this.t0 : this.data.clock.t[i - 1]!;
  }

  /** The seq at a fraction (0..1) of the session's duration. */
  seqAtFraction(f: number): number {
    const x = Math.min(1, Math.max(0, f));
    return x >= 1 ? this.lastSeq : this.seqAtTime(this.t0 + x * (this.t1 - this.t0));
  }

  /** The selection (a caret when start = end) after seq, or null before the writer placed one. */
  caretAt(seq: number): Caret | null {
    const c = this.data.carets;
    const i = upperBound(c.seq, seq);
    return i === 0 ? null : { start: c.start[i - 1]!, end: c.end[i - 1]! };
  }

  /** Loads into buf the text after opCount ops; returns how many ops were applied on the keyframe. */
  loadInto(buf: GapBuffer, opCount: number): number {
    const kf = this.keyframeFor(opCount);
    buf.reset(kf.text, kf.origins, kf.gapAt);
    for (let i = kf.opCount; i < opCount; i++) applyOp(buf, this.data.ops, i);
    return opCount - kf.opCount;
  }

  /** The text, origins and caret after every event up to seq. */
  stateAt(seq: number): ReplayState {
    const opCount = this.opsUpTo(seq);
    const applied = this.loadInto(this.scratch, opCount);
    return { seq, opCount, applied, text: this.scratch.toString(), origins: this.scratch.runs(), caret: this.caretAt(seq) };
  }

  textAt(seq: number): string {
    this.loadInto(this.scratch, this.opsUpTo(seq));
    return this.scratch.toString();
  }

  originsAt(seq: number): OriginRuns {
    this.loadInto(this.scratch, this.opsUpTo(seq));
    return this.scratch.runs();
  }

  stateAtTime(t: number): ReplayState {
    return this.stateAt(this.seqAtTime(t));
  }

  /** The final text. */
  finalText(): string {
    return this.textAt(this.lastSeq);
  }

  /** A cursor for playback: moving forward a little applies only the new ops. */
  cursor(): ReplayCursor {
    return new ReplayCursor(this);
  }
}

/** A position in the replay that moves incrementally: forward by applying ops, far or back via a keyframe. */
export class ReplayCursor {
  private readonly buf = new GapBuffer();
  private applied = 0;
  private at: number;
  /** Ops applied by the last move (for performance accounting). */
  lastCost = 0;

  constructor(private readonly index: ReplayIndex) {
    this.at = index.firstSeq - 1;
    index.loadInto(this.buf, 0);
  }

  get seq(): number {
    return this.at;
  }
  get opCount(): number {
    return this.applied;
  }
  get length(): number {
    return this.buf.length;
  }

  moveTo(seq: number): void {
    const target = this.index.opsUpTo(seq);
    this.at = seq;
    if (target === this.applied) {
      this.lastCost = 0;
      return;
    }
    if (target > this.applied && target - this.applied <= this.index.keyframeEvery) {
      for (let i = this.applied; i < target; i++) applyOp(this.buf, this.index.data.ops, i);
      this.lastCost = target - this.applied;
    } else {
      this.lastCost = this.index.loadInto(this.buf, target);
    }
    this.applied = target;
  }

  text(): string {
    return this.buf.toString();
  }
  slice(from: number, to: number): string {
    return this.buf.slice(from, to);
  }
  origins(): OriginRuns {
    return this.buf.runs();
  }
  caret(): Caret | null {
    return this.index.caretAt(this.at);
  }
}

/** Builds the replay index of a session's events. */
export function buildReplayIndex(events: readonly VeritasEvent[], options: BuildOptions = {}): ReplayIndex {
  const { data, keyframes, every } = buildReplay(events, options);
  return new ReplayIndex(data, keyframes, every);
}

/** The events of a bundle in seq order. */
export function bundleEvents(bundle: Pick<Bundle, 'batches'>): VeritasEvent[] {
  const out: VeritasEvent[] = [];
  for (const b of bundle.batches) for (const e of b.events) out.push(e);
  return out;
}

/** Builds the replay index of a bundle, with its initial text and kind. */
export function buildReplayIndexFromBundle(bundle: Bundle, options: KeyframeOptions = {}): ReplayIndex {
  return buildReplayIndex(bundleEvents(bundle), {
    ...options,
    sessionId: bundle.session.id,
    kind: bundle.session.kind,
    ...(bundle.session.meta?.initialText ? { initialText: bundle.session.meta.initialText } : {}),
  });
}
