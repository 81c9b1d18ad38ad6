import type { VeritasEvent } from '@veritas/schema';

/**
 * What the exam's live view needs of a student's events, and nothing more (no text, no keys): the
 * committing instance sends these over the hub, and a view seeded from the database slims the stored
 * events the same way, so both paths fold alike.
 */
export type SlimEvent =
  | { seq: number; t: number; k: 'typed'; n: number }
  | { seq: number; t: number; k: 'paste' }
  | { seq: number; t: number; k: 'input' }
  | { seq: number; t: number; k: 'away' | 'back' }
  | { seq: number; t: number; k: 'host'; values: Record<string, number | boolean>; source?: string };

/** The event types the fold reads (a seed reads only these from the database). */
export const SLIM_TYPES = ['text.op', 'key', 'visibility', 'focus', 'metrics'] as const;

/** Typed input (not pasted, dropped or programmatic) counts toward typing speed. */
const TYPED_CAUSES = new Set(['type', 'ime', 'autocorrect']);

export function slim(e: VeritasEvent): SlimEvent | undefined {
  const { seq, t } = e;
  switch (e.type) {
    case 'text.op':
      if (e.data.cause === 'paste' || e.data.cause === 'drop') return { seq, t, k: 'paste' };
      if (TYPED_CAUSES.has(e.data.cause) && e.data.ins.length > 0) return { seq, t, k: 'typed', n: e.data.ins.length };
      return { seq, t, k: 'input' };
    case 'key':
      return { seq, t, k: 'input' };
    case 'visibility':
      return { seq, t, k: e.data.state === 'hidden' ? 'away' : 'back' };
    case 'focus':
      return { seq, t, k: e.data.state === 'blur' ? 'away' : 'back' };
    case 'metrics':
      return { seq, t, k: 'host', values: { ...e.data.values }, ...(e.data.source !== undefined ? { source: e.data.source } : {}) };
    default:
      return undefined;
  }
}

/** Typing speed is counted over the last minute of the student's time. */
const SPEED_WINDOW_MS = 60_000;
/** No input for this long (or the page away): idle. */
export const IDLE_AFTER_MS = 30_000;
/** Nothing heard (no batch committed) for this long: offline. */
export const OFFLINE_AFTER_MS = 45_000;

export type Presence = 'online' | 'idle' | 'offline';

export interface HostSignals {
  confusion?: number;
  engagement?: number;
  /** The host's own name for where the values come from, as it labels it. */
  source?: string;
  /** Every value of the host's latest `metrics` event, under the host's own labels. */
  labels: Record<string, number | boolean>;
  /** Session time (ms) of that event. */
  t: number;
}

/**
 * One student's live state, folded event by event in seq order. `t` is the session's clock; the
 * wall clock of the last thing heard places "now" on it (the student's clock keeps running between batches).
 */
export class StudentFold {
  lastSeq = -1;
  private lastT = 0;
  private heardAt: number;
  private lastInputT = -Infinity;
  private awaySince: number | undefined;
  private awayDone = 0;
  pastes = 0;
  private readonly typed: [t: number, n: number][] = [];
  host: HostSignals | undefined;

  constructor(heardAt: number) {
    this.heardAt = heardAt;
  }

  /**
   * Folds the events after lastSeq (earlier ones are already in), of a commit that stored everything
   * up to `upTo` (events the fold does not read included); `heardAt` is when it arrived (wall ms).
   */
  apply(events: readonly SlimEvent[], upTo: number, heardAt: number): void {
    if (upTo <= this.lastSeq) return;
    const after = this.lastSeq;
    this.lastSeq = upTo;
    this.heardAt = Math.max(this.heardAt, heardAt);
    for (const e of events) {
      if (e.seq <= after || e.seq > upTo) continue;
      this.lastT = Math.max(this.lastT, e.t);
      switch (e.k) {
        case 'typed':
          this.typed.push([e.t, e.n]);
          this.lastInputT = e.t;
          break;
        case 'paste':
          this.pastes++;
          this.lastInputT = e.t;
          break;
        case 'input':
          this.lastInputT = e.t;
          break;
        case 'away':
          this.awaySince ??= e.t;
          break;
        case 'back':
          if (this.awaySince !== undefined) this.awayDone += Math.max(0, e.t - this.awaySince);
          this.awaySince = undefined;
          break;
        case 'host':
          this.host = {
            ...(typeof e.values.confusion === 'number' ? { confusion: e.values.confusion } : {}),
            ...(typeof e.values.engagement === 'number' ? { engagement: e.values.engagement } : {}),
            ...(e.source !== undefined ? { source: e.source } : {}),
            labels: e.values,
            t: e.t,
          };
          break;
      }
    }
    const from = this.lastT - SPEED_WINDOW_MS;
    while (this.typed.length > 0 && this.typed[0]![0] <= from) this.typed.shift();
  }

  /** The student's state at wall time `now`; `active` is whether their attempt is in progress. */
  view(now: number, active: boolean): { presence: Presence; charsPerMinute: number; pastes: number; awayMs: number } {
    const sinceHeard = Math.max(0, now - this.heardAt);
    const nowT = this.lastT + sinceHeard;
    const from = nowT - SPEED_WINDOW_MS;
    let chars = 0;
    for (const [t, n] of this.typed) if (t > from) chars += n;
    const awayMs = this.awayDone + (this.awaySince !== undefined ? Math.max(0, nowT - this.awaySince) : 0);
    let presence: Presence = 'online';
    if (!active || this.lastSeq < 0 || sinceHeard > OFFLINE_AFTER_MS) presence = 'offline';
    else if (this.awaySince !== undefined || nowT - this.lastInputT > IDLE_AFTER_MS) presence = 'idle';
    return { presence, charsPerMinute: chars, pastes: this.pastes, awayMs: Math.round(awayMs) };
  }
}
