import type { EventOf, VeritasEvent } from '@veritas/schema';
import { isSpace, isTerminal, isWordChar } from './chars';
import { clock, ProctoringFold, SensorFold } from './host';
import { Hist } from './histogram';
import { ORIGIN_INPUT_METHOD, ORIGIN_OTHER, ORIGIN_PASTE_EXTERNAL, ORIGIN_PASTE_INTERNAL, ORIGIN_TYPED, TextBuffer } from './text-buffer';
import type { AnalysisOptions, Departure, Flag, Thresholds } from './types';

export const LOC_WITHIN = 0;
export const LOC_WORD = 1;
export const LOC_SENTENCE = 2;
export const LOC_PARAGRAPH = 3;
export const LOC_REVISION = 4;

const EXCERPT = 80;
const MAX_DEPARTURES = 200;

export function excerptOf(s: string): string {
  const one = s.length > EXCERPT ? `${s.slice(0, EXCERPT)}…` : s;
  return one.replace(/\s+/g, ' ').trim();
}

/**
 * The whole analysis as one left fold: `step` takes each event in seq order and updates counters,
 * histograms and the document; nothing depends on how the stream was cut into batches, so the
 * incremental analyser and the whole analysis share this state and reach the same result.
 * Flags that can be decided at an event (a paste, a return, a violation) are raised here;
 * those that need the whole session are computed from this state at the end (see result.ts).
 */
export class Fold {
  readonly th: Thresholds;
  readonly acceptHost: boolean;
  readonly text: TextBuffer;
  readonly flags: Flag[] = [];
  /** Live alerts: the flags above as they are raised, plus early warnings for session-level detectors. */
  readonly alerts: Flag[] = [];

  events = 0;
  firstSeq = -1;
  lastSeq = -1;
  firstT = 0;
  lastT = 0;
  readonly byType: Record<string, number> = {};
  droppedHost = 0;

  // Text changes and pauses.
  ops = 0;
  keyEvents = 0;
  lastOpT = -1;
  lastCaret = -1;
  awaySinceLastOp = false;
  readonly locHist = [new Hist(), new Hist(), new Hist(), new Hist(), new Hist()];
  readonly locPauses = new Float64Array(5);
  readonly boundary = new Hist();
  boundaryPauses = 0;
  readonly pauseOver: Float64Array;
  activeMs = 0;
  totalPauseMs = 0;
  intervalsWithAway = 0;
  burstChars = 0;
  pBursts = 0;
  pBurstChars = 0;
  rBursts = 0;
  rBurstChars = 0;

  // Keys.
  prodKeys = 0;
  textKeys = 0;
  lastPress = -1;
  lastRelease = -1;
  overlaps = 0;
  overlapPairs = 0;
  readonly iki = new Hist();
  readonly hold = new Hist();
  firstKeySeq = -1;
  firstKeyT = 0;
  lastKeySeq = -1;
  lastKeyT = 0;
  untrusted = 0;
  untrustedChars = 0;
  firstUntrustedSeq = -1;
  firstUntrustedT = 0;
  lastUntrustedSeq = -1;
  lastUntrustedT = 0;

  // Speed windows (index = floor(t / window)).
  readonly winChars: number[] = [];
  readonly winKeys: number[] = [];

  // Revisions.
  inserted = 0;
  deleted = 0;
  deletions = 0;
  typedChars = 0;
  firstTypedSeq = -1;
  firstTypedT = 0;
  lastTypedSeq = -1;
  lastTypedT = 0;

  // Clipboard and pastes.
  readonly copyHashes = new Set<string>();
  pendingPasteT = -1;
  pendingPasteSeq = -1;
  pendingPasteInternal = false;
  dropDelT = -1;
  dropDelLen = 0;
  pastes = 0;
  pasteChars = 0;
  internalPastes = 0;
  internalChars = 0;
  externalPastes = 0;
  externalChars = 0;
  externalLargest = 0;
  largestExternalExcerpt = '';
  firstExternalSeq = -1;
  firstExternalT = 0;
  lastExternalSeq = -1;
  lastExternalT = 0;

  // Text without keystrokes.
  balance = 0;
  runOpen = false;
  runStartSeq = 0;
  runStartT = 0;
  runEndSeq = 0;
  runEndT = 0;
  runMax = 0;
  runChars = 0;
  runExcerpt = '';
  runAlerted = false;
  typedWithoutKeys = 0;
  programmaticChars = 0;
  largestKeyless = 0;
  largestKeylessSeq = -1;
  largestKeylessT = 0;
  largestKeylessCause = '';

  // Input methods.
  imOps = 0;
  imChars = 0;
  imeChars = 0;
  dictationChars = 0;
  autocorrectChars = 0;

  // Time away.
  blurred = false;
  hidden = false;
  awayStartT = -1;
  awayStartSeq = -1;
  departures = 0;
  awayMs = 0;
  longestAway = 0;
  readonly departureList: Departure[] = [];
  watch: Departure | null = null;
  watchUntil = -1;
  watchExcerpt = '';

  snapshots = 0;
  snapshotMismatches = 0;

  readonly proctor = new ProctoringFold();
  readonly sensors = new SensorFold();

  constructor(th: Thresholds, opts: AnalysisOptions) {
    this.th = th;
    this.acceptHost = opts.acceptHostSignals !== false;
    this.text = new TextBuffer(opts.initialText ?? '');
    this.pauseOver = new Float64Array(th.pauseReportMs.length);
  }

  push(events: readonly VeritasEvent[]): void {
    for (let i = 0; i < events.length; i++) this.step(events[i]!);
  }

  step(e: VeritasEvent): void {
    const t = e.t;
    if (this.watch !== null && t > this.watchUntil) this.closeWatch();
    if (this.firstSeq < 0) {
      this.firstSeq = e.seq;
      this.firstT = t;
    }
    this.lastSeq = e.seq;
    this.lastT = t;
    switch (e.type) {
      case 'text.op':
        this.op(e);
        break;
      case 'key':
        this.key(e);
        break;
      case 'clipboard':
        this.clipboard(e);
        break;
      case 'focus':
        this.blurred = e.data.state === 'blur';
        this.presence(e);
        break;
      case 'visibility':
        this.hidden = e.data.state === 'hidden';
        this.presence(e);
        break;
      case 'snapshot':
        this.snapshots++;
        if (!this.text.equals(e.data.text)) {
          this.snapshotMismatches++;
          this.text.reset(e.data.text, ORIGIN_OTHER);
        }
        break;
      case 'metrics':
        if (!this.acceptHost) {
          this.droppedHost++;
          return;
        }
        this.proctor.metrics(e, this.th);
        break;
      case 'violation': {
        const f = this.proctor.violation(e, this.th, this.flags);
        if (f) this.alerts.push(f);
        break;
      }
      case 'sensor':
        this.sensors.sensor(e, this.th);
        break;
      default:
        break;
    }
    this.events++;
    this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
  }

  private raise(f: Flag): void {
    this.flags.push(f);
    this.alerts.push(f);
  }

  private untrustedAt(seq: number, t: number): void {
    if (this.untrusted === 0) {
      this.firstUntrustedSeq = seq;
      this.firstUntrustedT = t;
    }
    this.untrusted++;
    this.lastUntrustedSeq = seq;
    this.lastUntrustedT = t;
    if (this.untrusted === this.th.untrustedEvents) {
      this.alerts.push({
        detector: 'untrusted-input',
        severity: 'high',
        evidence: { seqFrom: this.firstUntrustedSeq, seqTo: seq, tFrom: this.firstUntrustedT, tTo: t, excerpt: '' },
        message: `${this.untrusted} input events so far were made by a script, not by the keyboard.`,
        values: { untrustedEvents: this.untrusted },
      });
    }
  }

  /** Where an interval that ends with this op falls: the location classes of the pause research. */
  private locate(pos: number, del: number, ins: string, cause: string): number {
    const len = this.text.length;
    // An IME replacing its own composition is still inside the word being composed.
    if (cause === 'ime' && del > 0) return LOC_WITHIN;
    if (cause !== 'ime' && cause !== 'autocorrect') {
      if (del > 0 || ins.length === 0) return LOC_REVISION;
      if (pos !== this.lastCaret && pos < len && this.lastCaret >= 0) return LOC_REVISION;
    }
    const c1 = ins.length > 0 ? ins.charCodeAt(0) : 32;
    if (isSpace(c1)) return LOC_WORD;
    const c0 = this.text.charAt(pos - 1);
    if (c0 < 0 || c0 === 10) return LOC_PARAGRAPH;
    if (isTerminal(c0)) return LOC_SENTENCE;
    if (isSpace(c0)) {
      for (let i = pos - 2, n = 0; n < 16; i--, n++) {
        const c = this.text.charAt(i);
        if (c < 0 || c === 10) return LOC_PARAGRAPH;
        if (isSpace(c)) continue;
        return isTerminal(c) ? LOC_SENTENCE : LOC_WORD;
      }
      return LOC_WORD;
    }
    return isWordChar(c0) && isWordChar(c1) ? LOC_WITHIN : LOC_WORD;
  }

  private interval(t: number, loc: number): void {
    const th = this.th;
    if (this.lastOpT < 0) return;
    const d = t - this.lastOpT;
    if (this.awaySinceLastOp) {
      this.intervalsWithAway++;
      this.endBurst(false);
      return;
    }
    this.locHist[loc]!.add(d);
    if (loc === LOC_SENTENCE || loc === LOC_PARAGRAPH) this.boundary.add(d);
    const over = this.pauseOver;
    const rep = th.pauseReportMs;
    for (let i = 0; i < rep.length; i++) if (d >= rep[i]!) over[i]!++;
    if (d >= th.pauseMs) {
      this.locPauses[loc]!++;
      this.totalPauseMs += d;
      if (loc === LOC_SENTENCE || loc === LOC_PARAGRAPH) this.boundaryPauses++;
      this.endBurst(false);
    } else {
      this.activeMs += d;
    }
  }

  private endBurst(revision: boolean): void {
    if (this.burstChars === 0) return;
    if (revision) {
      this.rBursts++;
      this.rBurstChars += this.burstChars;
    } else {
      this.pBursts++;
      this.pBurstChars += this.burstChars;
    }
    this.burstChars = 0;
  }

  private op(e: EventOf<'text.op'>): void {
    const { pos, del, ins, cause } = e.data;
    const t = e.t;
    const n = ins.length;
    this.ops++;
    if (e.data.trusted === false) {
      this.untrustedAt(e.seq, t);
      this.untrustedChars += n;
    }
    const loc = this.locate(pos, del, ins, cause);
    this.interval(t, loc);
    if (loc === LOC_REVISION) this.endBurst(true);
    this.lastOpT = t;
    this.awaySinceLastOp = false;

    let origin = ORIGIN_TYPED;
    const inputMethod = cause === 'ime' || cause === 'dictation' || cause === 'autocorrect';
    if (inputMethod) {
      origin = ORIGIN_INPUT_METHOD;
      this.imOps++;
      const net = cause === 'ime' ? (n > del ? n - del : 0) : n;
      this.imChars += net;
      if (cause === 'ime') this.imeChars += net;
      else if (cause === 'dictation') this.dictationChars += net;
      else this.autocorrectChars += net;
      this.inserted += net;
      this.burstChars += net;
    } else {
      if (del > 0) {
        this.deletions++;
        this.deleted += del;
      }
      this.inserted += n;
      this.burstChars += n;
      if (cause === 'type') {
        if (n > 0) this.typed(e, n);
      } else if (cause === 'paste' || cause === 'drop') {
        if (n > 0) origin = this.pasted(e, n) ? ORIGIN_PASTE_INTERNAL : ORIGIN_PASTE_EXTERNAL;
        else if (cause === 'drop' && del > 0) {
          this.dropDelT = t;
          this.dropDelLen = del;
        }
      } else {
        origin = ORIGIN_OTHER;
        if (cause === 'programmatic' && n > 0) this.programmatic(e, n);
      }
    }
    if (n > 0 && this.watch !== null) {
      this.watch.charsAfterReturn += n;
      if (this.watchExcerpt.length < EXCERPT) this.watchExcerpt += ins.length > EXCERPT ? ins.slice(0, EXCERPT) : ins;
    }
    this.text.splice(pos, del, ins, origin);
    this.lastCaret = pos + n;
  }

  private keyless(e: VeritasEvent, n: number, cause: string): void {
    if (n > this.largestKeyless) {
      this.largestKeyless = n;
      this.largestKeylessSeq = e.seq;
      this.largestKeylessT = e.t;
      this.largestKeylessCause = cause;
    }
  }

  private typed(e: EventOf<'text.op'>, n: number): void {
    const t = e.t;
    this.typedChars += n;
    if (this.firstTypedSeq < 0) {
      this.firstTypedSeq = e.seq;
      this.firstTypedT = t;
    }
    this.lastTypedSeq = e.seq;
    this.lastTypedT = t;
    this.window(t, this.winChars, n);
    if (n > 1) this.keyless(e, n, 'type');
    if (this.balance <= 0 && !this.runOpen) {
      this.runOpen = true;
      this.runStartSeq = e.seq;
      this.runStartT = t;
      this.runMax = 0;
      this.runChars = 0;
      this.runExcerpt = '';
      this.runAlerted = false;
    }
    this.balance += n;
    this.runChars += n;
    this.runEndSeq = e.seq;
    this.runEndT = t;
    if (this.runExcerpt.length < EXCERPT) this.runExcerpt += e.data.ins.length > EXCERPT ? e.data.ins.slice(0, EXCERPT) : e.data.ins;
    if (this.balance > this.runMax) {
      this.runMax = this.balance;
      if (!this.runAlerted && this.runMax >= this.th.keylessChars) {
        this.runAlerted = true;
        this.alerts.push(this.keylessFlag(true));
      }
    }
  }

  /** The flag for the current run of typed text with no key presses behind it. */
  keylessFlag(live = false): Flag {
    const chars = this.runMax;
    return {
      detector: 'keyless-text',
      severity: chars >= this.th.keylessChars * 5 ? 'high' : 'medium',
      evidence: { seqFrom: this.runStartSeq, seqTo: this.runEndSeq, tFrom: this.runStartT, tTo: this.runEndT, excerpt: excerptOf(this.runExcerpt) },
      message: `${live ? 'So far, ' : ''}${chars} characters appeared as typing between ${clock(this.runStartT)} and ${clock(this.runEndT)} with no key presses to produce them.`,
      values: { charsWithoutKeys: chars, keylessChars: this.th.keylessChars },
    };
  }

  private closeRun(): void {
    this.runOpen = false;
    if (this.runMax >= this.th.keylessChars) {
      this.typedWithoutKeys += this.runMax;
      this.flags.push(this.keylessFlag());
    }
  }

  private window(t: number, arr: number[], n: number): void {
    const w = Math.floor(t / this.th.speedWindowMs);
    while (this.winChars.length <= w) {
      this.winChars.push(0);
      this.winKeys.push(0);
    }
    arr[w]! += n;
  }

  /** Returns true when the paste is internal (its clipboard hash matches a copy or cut made in the session). */
  private pasted(e: EventOf<'text.op'>, n: number): boolean {
    const t = e.t;
    let internal = false;
    let seqFrom = e.seq;
    let tFrom = t;
    if (e.data.cause === 'paste' && this.pendingPasteT >= 0 && t - this.pendingPasteT <= 2000) {
      internal = this.pendingPasteInternal;
      seqFrom = this.pendingPasteSeq;
      tFrom = this.pendingPasteT;
    } else if (e.data.cause === 'drop' && this.dropDelT >= 0 && t - this.dropDelT <= 1000 && this.dropDelLen === n) {
      internal = true;
    }
    this.pendingPasteT = -1;
    this.dropDelT = -1;
    this.pastes++;
    this.pasteChars += n;
    if (internal) {
      this.internalPastes++;
      this.internalChars += n;
      return true;
    }
    this.externalPastes++;
    this.externalChars += n;
    if (this.firstExternalSeq < 0) {
      this.firstExternalSeq = seqFrom;
      this.firstExternalT = tFrom;
    }
    this.lastExternalSeq = e.seq;
    this.lastExternalT = t;
    if (n > this.externalLargest) {
      this.externalLargest = n;
      this.largestExternalExcerpt = excerptOf(e.data.ins);
    }
    this.keyless(e, n, e.data.cause);
    const th = this.th;
    if (n >= th.externalPasteLowChars) {
      this.raise({
        detector: 'external-paste',
        severity: n >= th.externalPasteHighChars ? 'high' : n >= th.externalPasteChars ? 'medium' : 'low',
        evidence: { seqFrom, seqTo: e.seq, tFrom, tTo: t, excerpt: excerptOf(e.data.ins) },
        message: `${n} characters were pasted at ${clock(t)} from outside this session (they match nothing copied here).`,
        values: { chars: n, externalPasteLowChars: th.externalPasteLowChars, externalPasteChars: th.externalPasteChars, externalPasteHighChars: th.externalPasteHighChars },
      });
    }
    return false;
  }

  private programmatic(e: EventOf<'text.op'>, n: number): void {
    this.programmaticChars += n;
    this.keyless(e, n, 'programmatic');
    if (n >= this.th.keylessChars) {
      this.raise({
        detector: 'keyless-text',
        severity: 'medium',
        evidence: { seqFrom: e.seq, seqTo: e.seq, tFrom: e.t, tTo: e.t, excerpt: excerptOf(e.data.ins) },
        message: `${n} characters were inserted by the page or an extension at ${clock(e.t)}, with no key presses.`,
        values: { chars: n, keylessChars: this.th.keylessChars },
      });
    }
  }

  private key(e: EventOf<'key'>): void {
    const cls = e.data.class;
    const t = e.t;
    const h = e.data.hold;
    this.keyEvents++;
    if (e.data.trusted === false) this.untrustedAt(e.seq, t);
    if (cls === 'modifier' || cls === 'nav') return;
    if (cls === 'char' || cls === 'space' || cls === 'enter') {
      this.textKeys++;
      this.balance--;
      if (this.balance < -8) this.balance = -8;
      if (this.runOpen && this.balance <= 0) this.closeRun();
    }
    const press = t - h;
    this.prodKeys++;
    if (this.firstKeySeq < 0) {
      this.firstKeySeq = e.seq;
      this.firstKeyT = t;
    }
    this.lastKeySeq = e.seq;
    this.lastKeyT = t;
    this.hold.add(h);
    if (this.lastRelease >= 0) {
      this.overlapPairs++;
      if (press < this.lastRelease) this.overlaps++;
      const d = press - this.lastPress;
      if (d >= 0 && d < this.th.pauseMs) this.iki.add(d);
    }
    this.lastPress = press;
    this.lastRelease = t;
    this.window(press < 0 ? 0 : press, this.winKeys, 1);
  }

  private clipboard(e: EventOf<'clipboard'>): void {
    const d = e.data;
    if (d.action === 'paste') {
      this.pendingPasteT = e.t;
      this.pendingPasteSeq = e.seq;
      this.pendingPasteInternal = d.internal ?? this.copyHashes.has(d.hash);
    } else {
      this.copyHashes.add(d.hash);
    }
  }

  private presence(e: EventOf<'focus'> | EventOf<'visibility'>): void {
    const away = this.blurred || this.hidden;
    if (away && this.awayStartT < 0) {
      this.awayStartT = e.t;
      this.awayStartSeq = e.seq;
      this.departures++;
      this.awaySinceLastOp = true;
      if (this.watch !== null) this.closeWatch();
    } else if (!away && this.awayStartT >= 0) {
      const dep = this.departure(e.seq, e.t);
      this.awayMs += dep.durationMs;
      if (dep.durationMs > this.longestAway) this.longestAway = dep.durationMs;
      if (this.departureList.length < MAX_DEPARTURES) this.departureList.push(dep);
      this.awayStartT = -1;
      const flag = this.absenceFlag(dep);
      if (flag) this.raise(flag);
      if (dep.durationMs >= this.th.returnAwayMs) {
        this.watch = dep;
        this.watchUntil = e.t + this.th.returnWindowMs;
        this.watchExcerpt = '';
      }
    }
  }

  departure(seqTo: number, tTo: number): Departure {
    return { seqFrom: this.awayStartSeq, seqTo, tFrom: this.awayStartT, tTo, durationMs: Math.round((tTo - this.awayStartT) * 10) / 10, charsAfterReturn: 0, excerptAfterReturn: '' };
  }

  absenceFlag(dep: Departure): Flag | null {
    const th = this.th;
    if (dep.durationMs < th.prolongedAbsenceMs) return null;
    const mins = Math.round(dep.durationMs / 6000) / 10;
    return {
      detector: 'prolonged-absence',
      severity: dep.durationMs >= th.prolongedAbsenceHighMs ? 'medium' : 'low',
      evidence: { seqFrom: dep.seqFrom, seqTo: dep.seqTo, tFrom: dep.tFrom, tTo: dep.tTo, excerpt: '' },
      message: `The student left the page for ${mins} minutes at ${clock(dep.tFrom)}.`,
      values: { awayMs: dep.durationMs, prolongedAbsenceMs: th.prolongedAbsenceMs, prolongedAbsenceHighMs: th.prolongedAbsenceHighMs },
    };
  }

  /** The burst-after-return flag for the watched departure, if its window held enough text. */
  returnFlag(dep: Departure, excerpt: string): Flag | null {
    const th = this.th;
    if (dep.charsAfterReturn < th.returnBurstChars) return null;
    return {
      detector: 'burst-after-return',
      severity: 'medium',
      evidence: { seqFrom: dep.seqFrom, seqTo: this.lastSeq, tFrom: dep.tFrom, tTo: Math.min(this.lastT, dep.tTo + th.returnWindowMs), excerpt: excerptOf(excerpt) },
      message: `${dep.charsAfterReturn} characters entered the text within ${Math.round(th.returnWindowMs / 1000)} s of coming back from ${Math.round(dep.durationMs / 1000)} s away from the page.`,
      values: { charsAfterReturn: dep.charsAfterReturn, awayMs: dep.durationMs, returnBurstChars: th.returnBurstChars, returnWindowMs: th.returnWindowMs },
    };
  }

  private closeWatch(): void {
    const dep = this.watch!;
    dep.excerptAfterReturn = excerptOf(this.watchExcerpt);
    const flag = this.returnFlag(dep, this.watchExcerpt);
    if (flag) this.raise(flag);
    this.watch = null;
    this.watchUntil = -1;
  }
}
