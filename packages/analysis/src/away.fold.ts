import type { EventOf } from '@veritas/schema';
import { excerptOf, extendExcerpt } from './excerpt';
import { clock } from './host';
import { round } from './histogram';
import type { RaisedFlags } from './raised-flags';
import type { Departure, Flag, Thresholds, WritingMetrics } from './types';

/** Departures kept in the metrics; the counts and totals cover all of them. */
const MAX_DEPARTURES = 200;

/**
 * Time away from the page: a departure lasts from blur or hidden until focused and visible again.
 * Long departures are flagged; after a return of at least `returnAwayMs` the text entered within
 * `returnWindowMs` is watched, and flagged when it is a burst.
 */
export class AwayFold {
  private readonly th: Thresholds;
  private readonly raised: RaisedFlags;
  private blurred = false;
  private hidden = false;
  private awayStartT = -1;
  private awayStartSeq = -1;
  private departures = 0;
  private awayMs = 0;
  private longestAway = 0;
  private readonly departureList: Departure[] = [];
  /** The departure whose return window is open (it is also in departureList, and gets its excerpt when the window closes). */
  private watch: Departure | null = null;
  private watchUntil = -1;
  private watchExcerpt = '';

  constructor(th: Thresholds, raised: RaisedFlags) {
    this.th = th;
    this.raised = raised;
  }

  /** Returns true when this event starts a departure. */
  focus(e: EventOf<'focus'>): boolean {
    this.blurred = e.data.state === 'blur';
    return this.presence(e);
  }

  /** Returns true when this event starts a departure. */
  visibility(e: EventOf<'visibility'>): boolean {
    this.hidden = e.data.state === 'hidden';
    return this.presence(e);
  }

  /**
   * Called before each event at t, with the last event before it: a return window that ended
   * before t is closed, its evidence ending at that last event.
   */
  expire(t: number, lastSeq: number, lastT: number): void {
    if (this.watch !== null && t > this.watchUntil) this.closeWatch(lastSeq, lastT);
  }

  /** Text inserted by an op: counted for the open return window, if any. */
  inserted(n: number, ins: string): void {
    if (this.watch === null) return;
    this.watch.charsAfterReturn += n;
    this.watchExcerpt = extendExcerpt(this.watchExcerpt, ins);
  }

  private presence(e: EventOf<'focus'> | EventOf<'visibility'>): boolean {
    const away = this.blurred || this.hidden;
    if (away && this.awayStartT < 0) {
      this.awayStartT = e.t;
      this.awayStartSeq = e.seq;
      this.departures++;
      if (this.watch !== null) this.closeWatch(e.seq, e.t);
      return true;
    }
    if (!away && this.awayStartT >= 0) this.returned(e.seq, e.t);
    return false;
  }

  private returned(seq: number, t: number): void {
    const dep = this.departure(seq, t);
    this.awayMs += dep.durationMs;
    if (dep.durationMs > this.longestAway) this.longestAway = dep.durationMs;
    if (this.departureList.length < MAX_DEPARTURES) this.departureList.push(dep);
    this.awayStartT = -1;
    const flag = this.absenceFlag(dep);
    if (flag) this.raised.raise(flag);
    if (dep.durationMs >= this.th.returnAwayMs) {
      this.watch = dep;
      this.watchUntil = t + this.th.returnWindowMs;
      this.watchExcerpt = '';
    }
  }

  /** The departure that started at awayStart and ends at (seqTo, tTo). */
  private departure(seqTo: number, tTo: number): Departure {
    return {
      seqFrom: this.awayStartSeq,
      seqTo,
      tFrom: this.awayStartT,
      tTo,
      durationMs: Math.round((tTo - this.awayStartT) * 10) / 10,
      charsAfterReturn: 0,
      excerptAfterReturn: '',
    };
  }

  private absenceFlag(dep: Departure): Flag | null {
    const th = this.th;
    if (dep.durationMs < th.prolongedAbsenceMs) return null;
    const mins = Math.round(dep.durationMs / 6000) / 10;
    return {
      detector: 'prolonged-absence',
      severity: dep.durationMs >= th.prolongedAbsenceHighMs ? 'medium' : 'low',
      evidence: { seqFrom: dep.seqFrom, seqTo: dep.seqTo, tFrom: dep.tFrom, tTo: dep.tTo, excerpt: '' },
      message: `The student left the page for ${mins} minutes at ${clock(dep.tFrom)} (${th.prolongedAbsenceMs / 60_000} minutes or more is noted, ${th.prolongedAbsenceHighMs / 60_000} or more is medium).`,
      values: { awayMs: dep.durationMs, prolongedAbsenceMs: th.prolongedAbsenceMs, prolongedAbsenceHighMs: th.prolongedAbsenceHighMs },
    };
  }

  /** The burst-after-return flag for the watched departure, if its window held enough text; evidence ends at the last event seen. */
  private returnFlag(dep: Departure, lastSeq: number, lastT: number): Flag | null {
    const th = this.th;
    if (dep.charsAfterReturn < th.returnBurstChars) return null;
    return {
      detector: 'burst-after-return',
      severity: 'medium',
      evidence: {
        seqFrom: dep.seqFrom,
        seqTo: lastSeq,
        tFrom: dep.tFrom,
        tTo: Math.min(lastT, dep.tTo + th.returnWindowMs),
        excerpt: excerptOf(this.watchExcerpt),
      },
      message: `${dep.charsAfterReturn} characters entered the text within ${Math.round(th.returnWindowMs / 1000)} s of coming back from ${Math.round(dep.durationMs / 1000)} s away from the page (${th.returnBurstChars} or more is flagged).`,
      values: { charsAfterReturn: dep.charsAfterReturn, awayMs: dep.durationMs, returnBurstChars: th.returnBurstChars, returnWindowMs: th.returnWindowMs },
    };
  }

  private closeWatch(lastSeq: number, lastT: number): void {
    const dep = this.watch!;
    dep.excerptAfterReturn = excerptOf(this.watchExcerpt);
    const flag = this.returnFlag(dep, lastSeq, lastT);
    if (flag) this.raised.raise(flag);
    this.watch = null;
    this.watchUntil = -1;
  }

  /** Flags of what is still open at the end of the stream (a return window, an absence), as if it ended there. */
  openFlags(lastSeq: number, lastT: number, out: Flag[]): void {
    if (this.watch !== null) {
      const flag = this.returnFlag({ ...this.watch }, lastSeq, lastT);
      if (flag) out.push(flag);
    }
    if (this.awayStartT >= 0) {
      const flag = this.absenceFlag(this.departure(lastSeq, lastT));
      if (flag) out.push(flag);
    }
  }

  /** Reads the state without changing it: an open window or absence is shown as if it ended at the last event. */
  metrics(lastSeq: number, lastT: number): WritingMetrics['away'] {
    const list = this.departureList.map((d) => ({ ...d }));
    let awayMs = this.awayMs;
    let longest = this.longestAway;
    const watch = this.watch;
    if (watch !== null) {
      const open = list.find((d) => d.seqFrom === watch.seqFrom && d.tFrom === watch.tFrom);
      if (open) open.excerptAfterReturn = excerptOf(this.watchExcerpt);
    }
    if (this.awayStartT >= 0) {
      const dep = this.departure(lastSeq, lastT);
      awayMs += dep.durationMs;
      longest = Math.max(longest, dep.durationMs);
      if (list.length < MAX_DEPARTURES) list.push(dep);
    }
    return { departures: this.departures, totalMs: round(awayMs), longestMs: round(longest), list };
  }
}
