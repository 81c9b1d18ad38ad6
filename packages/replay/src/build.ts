import { OriginClassifier, type ClassifiedOp, type EventOf, type VeritasEvent } from '@veritas/schema';
import { GapBuffer } from './gap-buffer';
import { KeyIntervals } from './classify';
import { ORIGIN_CODE as C, runsOfCodes, type OriginRuns } from './origin';
import { initialRunsOf, KeyframeWriter, type KeyframeOptions } from './keyframes';
import { SeriesCollector } from './series';
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
}

const CAUSE_CODE = Object.fromEntries(OP_CAUSES.map((c, i) => [c, i])) as Record<OpCause, number>;
const EXCERPT = 80;

class OpsBuilder {
  seq: number[] = [];
  t: number[] = [];
  pos: number[] = [];
  del: number[] = [];
  ins: string[] = [];
  origin: number[] = [];
  cause: number[] = [];
  mixed = new Map<number, OriginRuns>();
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
export function buildReplay(input: readonly VeritasEvent[], options: BuildOptions = {}): { data: ReplayData; keyframes: Keyframe[]; every: number } {
  const events = sortedBySeq(input);
  const initialText = options.initialText ?? '';
  const initialRuns = initialRunsOf(initialText, C.initial);
  const keys = new KeyIntervals(events);
  const origins = new OriginClassifier(initialText, { assistiveTechnology: options.assistiveTechnology });
  const buf = new GapBuffer(Math.max(1024, initialText.length * 2));
  buf.reset(initialText, initialRuns);
  const writer = new KeyframeWriter(initialText, initialRuns, options);
  const ops = new OpsBuilder();
  const carets = { seq: [] as number[], t: [] as number[], start: [] as number[], end: [] as number[] };
  const keyPress: number[] = [];
  const pastes: PasteMark[] = [];
  const marks: MarkPoint[] = [];
  const violations: ViolationPoint[] = [];
  const divergences: Divergence[] = [];
  const away = new AwayTracker();
  const series = new SeriesCollector();
  const clockSeq = new Int32Array(events.length);
  const clockT = new Float64Array(events.length);

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

  events.forEach((e, i) => {
    clockSeq[i] = e.seq;
    clockT[i] = e.t;
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
  });

  const first = events[0];
  const last = events[events.length - 1];
  const t1 = last?.t ?? 0;
  const lastSeq = last?.seq ?? -1;
  keyPress.sort((x, y) => x - y);
  const session: ReplaySession = {
    kind: options.kind ?? (ops.count > 0 ? 'writing' : 'generic'),
    initialText,
    t0: first?.t ?? 0,
    t1,
    firstSeq: first?.seq ?? 0,
    lastSeq,
    eventCount: events.length,
    ...(options.sessionId ? { id: options.sessionId } : {}),
  };
  const data: ReplayData = {
    format: REPLAY_FORMAT,
    session,
    clock: { seq: clockSeq, t: clockT },
    ops: {
      seq: Int32Array.from(ops.seq),
      t: Float64Array.from(ops.t),
      pos: Uint32Array.from(ops.pos),
      del: Uint32Array.from(ops.del),
      ins: ops.ins,
      origin: Uint8Array.from(ops.origin),
      cause: Uint8Array.from(ops.cause),
      mixed: ops.mixed,
    },
    carets: { seq: Int32Array.from(carets.seq), t: Float64Array.from(carets.t), start: Uint32Array.from(carets.start), end: Uint32Array.from(carets.end) },
    keys: Float64Array.from(keyPress),
    away: away.finish(t1, lastSeq),
    pastes,
    marks,
    violations,
    divergences,
    series: series.finish(),
  };
  return { data, keyframes: writer.keyframes, every: writer.every };
}
