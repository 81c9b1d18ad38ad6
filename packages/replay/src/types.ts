import type { OriginRuns, Origin } from './origin';

/** Replay format version; the compact form carries it and decoders refuse others. */
export const REPLAY_FORMAT = 'veritas.replay/v1' as const;

/** The causes of a text op, plus `snapshot` for the resync a snapshot event forces when replay disagrees. */
export const OP_CAUSES = ['type', 'paste', 'cut', 'drop', 'undo', 'redo', 'ime', 'autocorrect', 'dictation', 'programmatic', 'snapshot'] as const;
export type OpCause = (typeof OP_CAUSES)[number];

/** Text operations, column by column: op i removed del[i] units at pos[i] and inserted ins[i]. */
export interface OpColumns {
  seq: Int32Array;
  t: Float64Array;
  pos: Uint32Array;
  del: Uint32Array;
  ins: string[];
  /** Origin code of the inserted text (see ORIGINS). */
  origin: Uint8Array;
  /** Index into OP_CAUSES. */
  cause: Uint8Array;
  /** Ops whose inserted text has more than one origin (an undo restoring pasted and typed text). */
  mixed: Map<number, OriginRuns>;
}

/** Caret and selection changes: after event seq[i] the selection was [start[i], end[i]]. */
export interface CaretColumns {
  seq: Int32Array;
  t: Float64Array;
  start: Uint32Array;
  end: Uint32Array;
}

export interface AwaySpan {
  tFrom: number;
  tTo: number;
  seqFrom: number;
  seqTo: number;
  /** `hidden` if the page was hidden at any point of the span, else `blur`. */
  reason: 'blur' | 'hidden';
  /** The session ended while away. */
  open: boolean;
}

export interface PasteMark {
  seq: number;
  t: number;
  pos: number;
  len: number;
  origin: Extract<Origin, 'paste-internal' | 'paste-external'>;
  cause: 'paste' | 'drop';
  excerpt: string;
}

export interface MarkPoint {
  seq: number;
  t: number;
  label: string;
}

export interface ViolationPoint {
  seq: number;
  t: number;
  kind: string;
  confidence: number;
  detail?: string;
}

/** Where a snapshot disagreed with the replayed text; the replay follows the snapshot from there. */
export interface Divergence {
  seq: number;
  t: number;
  replayedLength: number;
  snapshotLength: number;
}

/** One numeric series over time: a metric as the host labels it, or one axis of a sensor. */
export interface Series {
  name: string;
  source: 'metric' | 'sensor';
  t: Float64Array;
  v: Float64Array;
  min: number;
  max: number;
}

export interface ReplaySession {
  id?: string;
  kind: 'writing' | 'proctoring' | 'sensor' | 'generic';
  initialText: string;
  /** First and last event time (ms since the session started). */
  t0: number;
  t1: number;
  firstSeq: number;
  lastSeq: number;
  eventCount: number;
}

/**
 * Everything replay needs that depends on the whole event stream, in columns. Keyframes are not
 * part of it: they are rebuilt from the ops in one pass (see ReplayIndex).
 */
export interface ReplayData {
  format: typeof REPLAY_FORMAT;
  session: ReplaySession;
  /** Every event's seq and t, for seeking by time. */
  clock: { seq: Int32Array; t: Float64Array };
  ops: OpColumns;
  carets: CaretColumns;
  /** Key press times (t - hold), for density and pauses. */
  keys: Float64Array;
  away: AwaySpan[];
  pastes: PasteMark[];
  marks: MarkPoint[];
  violations: ViolationPoint[];
  divergences: Divergence[];
  series: Series[];
}

export interface Keyframe {
  /** Ops applied before this keyframe's text. */
  opCount: number;
  text: string;
  origins: OriginRuns;
  /** Where the last edit was, so a seek from here moves the buffer as little as the build did. */
  gapAt: number;
}

export interface Caret {
  start: number;
  end: number;
}

export interface ReplayState {
  /** The state after every event up to and including this seq. */
  seq: number;
  /** Text ops applied (including the ones in the keyframe). */
  opCount: number;
  /** Ops applied on top of the keyframe to reach this state (at most the keyframe interval). */
  applied: number;
  text: string;
  origins: OriginRuns;
  caret: Caret | null;
}
