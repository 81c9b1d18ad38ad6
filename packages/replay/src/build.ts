import type { EventOf, VeritasEvent } from '@veritas/schema';
import { GapBuffer } from './gap-buffer';
import { ClipboardPastes, DeletionCache, KeyIntervals } from './classify';
import { ORIGIN_CODE as C, type OriginRuns } from './origin';
import { initialRunsOf, KeyframeWriter, type KeyframeOptions } from './keyframes';
import { SeriesCollector } from './series';
import { Column, float64, int32, uint32, uint8 } from './columns';
import {
  OP_CAUSES,
  REPLAY_FORMAT,
  type AwaySpan,
  type Divergence,
  type Keyframe,
  type MarkPoint,
  type OpCause,
  type PasteMark,
  type ReplayData,
  type ReplaySession,
  type ViolationPoint,
} from './types';

export interface BuildOptions extends KeyframeOptions {
  /** Text the editor held before the first op (a bundle's meta.initialText). */
  initialText?: string;
  sessionId?: string;
  kind?: ReplaySession['kind'];
  /** How many rows to make room for at once (a streamed session's counts); rows beyond grow the columns. */
  capacity?: { events?: number; ops?: number; carets?: number; keys?: number };
}

const CAUSE_CODE = Object.fromEntries(OP_CAUSES.map((c, i) => [c, i])) as Record<OpCause, number>;
const EXCERPT = 80;

class OpsBuilder {
  readonly seq: Column<Int32Array>;
  readonly t: Column<Float64Array>;
  readonly pos: Column<Uint32Array>;
  readonly del: Column<Uint32Array>;
  ins: string[] = [];
  readonly origin: Column<Uint8Array>;
  readonly cause: Column<Uint8Array>;
  mixed = new Map<number, OriginRuns>();
  constructor(capacity = 0) {
    this.seq = new Column(int32, capacity);
    this.t = new Column(float64, capacity);
    this.pos = new Column(uint32, capacity);
    this.del = new Column(uint32, capacity);
    this.origin = new Column(uint8, capacity);
    this.cause = new Column(uint8, capacity);
  }
  get count(): number {
    return this.seq.length;
  }
  push(seq: number, t: number, pos: number, del: number, ins: string, origin: number, cause: OpCause, runs?: OriginRuns): void {
    if (runs && runs.len.length > 1) this.mixed.set(this.seq.length, runs);
    else if (runs && runs.len.length === 1) origin = runs.code[0]!;
    this.seq.push(seq);
    this.t.push(t);
    this.pos.push(pos);
    this.del.push(del);
    this.ins.push(ins);
    this.origin.push(origin);
    this.cause.push(CAUSE_CODE[cause]);
  }
}

/** Tracks focus and visibility into spans of time away. */
class AwayTracker {
  readonly spans: AwaySpan[] = [];
  private blurred = false;
  private hidden = false;
  private open: AwaySpan | null = null;
  on(e: VeritasEvent): void {
    if (e.type === 'focus') this.blurred = e.data.state === 'blur';
    else if (e.type === 'visibility') this.hidden = e.data.state === 'hidden';
    else return;
    const away = this.blurred || this.hidden;
    if (away && !this.open) this.open = { tFrom: e.t, tTo: e.t, seqFrom: e.seq, seqTo: e.seq, reason: 'blur', open: true };
    if (this.open && this.hidden) this.open.reason = 'hidden';
    if (!away && this.open) {
      this.spans.push({ ...this.open, tTo: e.t, seqTo: e.seq, open: false });
      this.open = null;
    }
  }
  finish(t1: number, lastSeq: number): AwaySpan[] {
    if (this.open) this.spans.push({ ...this.open, tTo: t1, seqTo: lastSeq });
    this.open = null;
    return this.spans;
  }
}

function sortedBySeq(events: readonly VeritasEvent[]): readonly VeritasEvent[] {
  for (let i = 1; i < events.length; i++) if (events[i]!.seq <= events[i - 1]!.seq) return [...events].sort((a, b) => a.seq - b.seq);
  return events;
}

/**
 * Folds a session's events into replay data and keyframes in one pass: each text op is applied to
 * a gap buffer, classified by origin, and a keyframe is taken every K ops.
 */
export function buildReplay(input: readonly VeritasEvent[], options: BuildOptions = {}): BuiltReplay {
  const events = sortedBySeq(input);
  const builder = createReplayBuilder(new KeyIntervals(events), new ClipboardPastes(events), options);
  for (const e of events) builder.push(e);
  return builder.finish();
}

export interface BuiltReplay {
  data: ReplayData;
  keyframes: Keyframe[];
  every: number;
}

export interface ReplayBuilder {
  /** Folds the next event (in seq order) into the replay. */
  push(e: VeritasEvent): void;
  finish(): BuiltReplay;
}

/**
 * The fold behind buildReplay, one event at a time, so a caller can feed a session page by page
 * without holding its events. The key intervals and clipboard pastes look ahead of an op, so they
 * are collected from the whole session first (they are small: a few numbers per key or paste).
 * With `keyframes: false` no keyframe is taken (the compact form does not carry them).
 */
export function createReplayBuilder(keys: KeyIntervals, clip: ClipboardPastes, options: BuildOptions & { keyframes?: boolean } = {}): ReplayBuilder {
  const initialText = options.initialText ?? '';
  const initialRuns = initialRunsOf(initialText, C.initial);
  const deleted = new DeletionCache();
  const buf = new GapBuffer(Math.max(1024, initialText.length * 2));
  buf.reset(initialText, initialRuns);
  const writer = new KeyframeWriter(initialText, initialRuns, options.keyframes === false ? { keyframeEvery: Infinity, maxMovedUnits: Infinity } : options);
  const cap = options.capacity ?? {};
  const ops = new OpsBuilder(cap.ops);
  const carets = { seq: new Column(int32, cap.carets), t: new Column(float64, cap.carets), start: new Column(uint32, cap.carets), end: new Column(uint32, cap.carets) };
  const keyPress = new Column(float64, cap.keys);
  const pastes: PasteMark[] = [];
  const marks: MarkPoint[] = [];
  const violations: ViolationPoint[] = [];
  const divergences: Divergence[] = [];
  const away = new AwayTracker();
  const series = new SeriesCollector();
  const clockSeq = new Column(int32, cap.events);
  const clockT = new Column(float64, cap.events);
  let first: VeritasEvent | undefined;
  let last: VeritasEvent | undefined;

  const apply = (seq: number, t: number, pos: number, del: number, ins: string, origin: number, cause: OpCause, runs?: OriginRuns) => {
    // A snapshot's resync changes the text, not where the writer's caret was.
    const len = buf.length;
    const p = Math.min(pos, len);
    const d = Math.min(del, len - p);
    if (d > 0) deleted.add(buf.slice(p, p + d), buf.runs(p, p + d));
    buf.splice(p, d, ins, origin, runs);
    ops.push(seq, t, p, d, ins, origin, cause, runs);
    writer.afterOp(buf, ops.count);
    if (cause === 'snapshot') return;
    carets.seq.push(seq);
    carets.t.push(t);
    carets.start.push(p + ins.length);
    carets.end.push(p + ins.length);
  };

  const onText = (e: EventOf<'text.op'>) => {
    const { pos, del, ins } = e.data;
    // The schema's TextCause is a union of literals built from a list, so it types as string here.
    const cause: OpCause = e.data.cause in CAUSE_CODE && e.data.cause !== 'snapshot' ? (e.data.cause as OpCause) : 'programmatic';
    let origin: number = C.typed;
    let runs: OriginRuns | undefined;
    if (ins.length > 0) {
      if (cause === 'paste' || cause === 'drop') {
        const paired = cause === 'paste' ? clip.pair(e.seq, e.t) : undefined;
        const internal = paired ? paired.internal : deleted.find(ins) !== undefined || buf.includes(ins);
        origin = internal ? C['paste-internal'] : C['paste-external'];
        const at = Math.min(pos, buf.length);
        pastes.push({ seq: e.seq, t: e.t, pos: at, len: ins.length, origin: internal ? 'paste-internal' : 'paste-external', cause, excerpt: ins.slice(0, EXCERPT) });
      } else if (cause === 'ime' || cause === 'dictation' || cause === 'autocorrect') origin = C['input-method'];
      else if (cause === 'programmatic') origin = C['no-keystrokes'];
      else if (cause === 'undo' || cause === 'redo') runs = deleted.find(ins);
      else if (e.data.trusted === false || (keys.any && !keys.covers(e.t))) origin = C['no-keystrokes'];
    }
    apply(e.seq, e.t, pos, del, ins, origin, cause, runs);
  };

  const onSnapshot = (e: EventOf<'snapshot'>) => {
    const now = buf.toString();
    const next = e.data.text;
    if (now === next) return;
    let a = 0;
    const max = Math.min(now.length, next.length);
    while (a < max && now.charCodeAt(a) === next.charCodeAt(a)) a++;
    let b = 0;
    while (b < max - a && now.charCodeAt(now.length - 1 - b) === next.charCodeAt(next.length - 1 - b)) b++;
    divergences.push({ seq: e.seq, t: e.t, replayedLength: now.length, snapshotLength: next.length });
    apply(e.seq, e.t, a, now.length - a - b, next.slice(a, next.length - b), C.restored, 'snapshot');
  };

  const push = (e: VeritasEvent): void => {
    first ??= e;
    last = e;
    clockSeq.push(e.seq);
    clockT.push(e.t);
    switch (e.type) {
      case 'text.op':
        return onText(e);
      case 'snapshot':
        return onSnapshot(e);
      case 'selection':
        carets.seq.push(e.seq);
        carets.t.push(e.t);
        carets.start.push(Math.min(e.data.start, e.data.end));
        carets.end.push(Math.max(e.data.start, e.data.end));
        return;
      case 'key':
        keyPress.push(Math.max(0, e.t - e.data.hold));
        return;
      case 'focus':
      case 'visibility':
        return away.on(e);
      case 'mark':
        marks.push({ seq: e.seq, t: e.t, label: e.data.label });
        return;
      case 'violation':
        violations.push({ seq: e.seq, t: e.t, kind: e.data.kind, confidence: e.data.confidence, ...(e.data.detail ? { detail: e.data.detail } : {}) });
        return;
      case 'metrics':
      case 'sensor':
        return series.on(e);
      default:
        return;
    }
  };

  const finish = (): BuiltReplay => {
    const t1 = last?.t ?? 0;
    const lastSeq = last?.seq ?? -1;
    const session: ReplaySession = {
      kind: options.kind ?? (ops.count > 0 ? 'writing' : 'generic'),
      initialText,
      t0: first?.t ?? 0,
      t1,
      firstSeq: first?.seq ?? 0,
      lastSeq,
      eventCount: clockSeq.length,
      ...(options.sessionId ? { id: options.sessionId } : {}),
    };
    const data: ReplayData = {
      format: REPLAY_FORMAT,
      session,
      clock: { seq: clockSeq.done(), t: clockT.done() },
      ops: {
        seq: ops.seq.done(),
        t: ops.t.done(),
        pos: ops.pos.done(),
        del: ops.del.done(),
        ins: ops.ins,
        origin: ops.origin.done(),
        cause: ops.cause.done(),
        mixed: ops.mixed,
      },
      carets: { seq: carets.seq.done(), t: carets.t.done(), start: carets.start.done(), end: carets.end.done() },
      // Presses in time order (a typed array sorts numerically).
      keys: keyPress.done().sort(),
      away: away.finish(t1, lastSeq),
      pastes,
      marks,
      violations,
      divergences,
      series: series.finish(),
    };
    return { data, keyframes: writer.keyframes, every: writer.every };
  };

  return { push, finish };
}
