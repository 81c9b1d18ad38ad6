import { OriginClassifier, type ClassifiedOp, type EventOf, type VeritasEvent } from '@veritas/schema';
import { GapBuffer } from './gap-buffer';
import { KeyIntervals } from './classify';
import { ORIGIN_CODE as C, runsOfCodes, type OriginRuns } from './origin';
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
  /** The writer's accommodation: input without keys is shown as an input method (as the analysis counts it). */
  assistiveTechnology?: boolean;
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
 * Folds a session's events into replay data and keyframes in one pass: each text op is classified
 * by the shared origin classifier (@veritas/schema, the analysis's too), applied to a gap buffer
 * exactly as the classifier's document model applied it, and a keyframe is taken every K ops.
 */
export function buildReplay(input: readonly VeritasEvent[], options: BuildOptions = {}): BuiltReplay {
  const events = sortedBySeq(input);
  const builder = createReplayBuilder(new KeyIntervals(events), options);
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
 * without holding its events. The key intervals look ahead of an op (typing with no key down), so
 * they are collected from the whole session first (a few numbers per key); the origin classifier
 * reads clipboard events in order, as they come.
 * With `keyframes: false` no keyframe is taken (the compact form does not carry them).
 */
export function createReplayBuilder(keys: KeyIntervals, options: BuildOptions & { keyframes?: boolean } = {}): ReplayBuilder {
  const initialText = options.initialText ?? '';
  const initialRuns = initialRunsOf(initialText, C.initial);
  const origins = new OriginClassifier(initialText, { assistiveTechnology: options.assistiveTechnology });
  const buf = new GapBuffer(Math.max(1024, initialText.length * 2));
  buf.reset(initialText, initialRuns);
  const writer = new KeyframeWriter(initialText, initialRuns, options.keyframes === false ? { keyframeEvery: Infinity, maxMovedUnits: Infinity } : options);
  const cap = options.capacity ?? {};
  const ops = new OpsBuilder(cap.ops);
  const carets = {
    seq: new Column(int32, cap.carets),
    t: new Column(float64, cap.carets),
    start: new Column(uint32, cap.carets),
    end: new Column(uint32, cap.carets),
  };
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

  /** Applies an op the classifier already clamped and applied to its own document. */
  const apply = (c: ClassifiedOp, cause: OpCause) => {
    const { seq, t, pos: p, del: d, ins, origin } = c;
    const runs: OriginRuns | undefined = c.origins ? runsOfCodes(c.origins) : undefined;
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
    // The schema's TextCause is a union of literals built from a list, so it types as string here.
    const cause: OpCause = e.data.cause in CAUSE_CODE && e.data.cause !== 'snapshot' ? (e.data.cause as OpCause) : 'programmatic';
    // The replay sees the key events that follow an op, so it can tell typing with no key down.
    const keyless = cause === 'type' && e.data.ins.length > 0 && keys.any && !keys.covers(e.t);
    const c = origins.op(e, keyless);
    if (c.paste) {
      const origin = c.paste.internal ? 'paste-internal' : 'paste-external';
      pastes.push({ seq: e.seq, t: e.t, pos: c.pos, len: c.ins.length, origin, cause: cause as 'paste' | 'drop', excerpt: c.ins.slice(0, EXCERPT) });
    }
    apply(c, cause);
  };

  const onSnapshot = (e: EventOf<'snapshot'>) => {
    const replayedLength = buf.length;
    const c = origins.snapshot(e);
    if (!c) return;
    divergences.push({ seq: e.seq, t: e.t, replayedLength, snapshotLength: e.data.text.length });
    apply(c, 'snapshot');
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
      case 'clipboard':
        return origins.clipboard(e);
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
