import { isSpace, isTerminal, isWordChar } from './chars';
import { excerptOf, extendExcerpt } from './excerpt';
import { Hist, ratio, round } from './histogram';
import type { OriginText } from '@veritas/schema';
import { PAUSE_LOCATIONS, type Moment, type PauseLocation, type PauseLocationStats, type Thresholds, type WritingMetrics } from './types';

/** At most this many unpaused sentences are kept as evidence (the first ones; the count is kept in full). */
export const MAX_MOMENTS = 20;

/** Pause locations, in the order of PAUSE_LOCATIONS (they index the per-location arrays). */
const LOC_WITHIN = 0;
const LOC_WORD = 1;
const LOC_SENTENCE = 2;
const LOC_PARAGRAPH = 3;
const LOC_REVISION = 4;

/** How far back past spaces `locate` looks for what ended the previous word. */
const LOOKBACK = 16;

/**
 * Intervals between text ops: where each one falls (the location classes of the pause research),
 * which are pauses, and the P- and R-bursts of text between them.
 *
 * A pause belongs to the transition it sits in: the whitespace typed after sentence-final
 * punctuation is part of the sentence boundary, so "period, a minute of thought, space, capital"
 * is a paused sentence start. The intervals from the end of a sentence to the first character of
 * the next form one boundary transition; the sentence measures (pause share, gradient) count
 * transitions, each measured by its longest interval (paused when that is a pause).
 */
export class PauseFold {
  private readonly th: Thresholds;
  private lastOpT = -1;
  /** Where the last op left the caret; an op elsewhere (not at the end) is a revision. */
  private lastCaret = -1;
  /** An interval that contains time away says nothing about thinking, so it is not classified. */
  private awaySinceLastOp = false;
  private readonly locHist = [new Hist(), new Hist(), new Hist(), new Hist(), new Hist()];
  private readonly locPauses = new Float64Array(5);
  /** Boundary transitions (sentence or paragraph) closed so far: their summed durations, for the gradient. */
  private readonly boundary = new Hist();
  private boundaryPauses = 0;
  /** The transition being typed, or none; transMs is its longest interval (where the writer stopped to think). */
  private transOpen = false;
  private transMs = 0;
  private transPaused = false;
  /** The sentence after the last closed transition: where it started, and whether that start was paused. */
  private sentence: { paused: boolean; seqFrom: number; tFrom: number; excerpt: string } | null = null;
  private lastOpSeq = -1;
  /** Sentences whose start held no pause: the first MAX_MOMENTS as evidence, and how many in all. */
  readonly unpausedSentences: Moment[] = [];
  unpausedCount = 0;
  /** Pauses at or over the threshold, anywhere. */
  pauses = 0;
  private readonly pauseOver: Float64Array;
  private activeMs = 0;
  private totalPauseMs = 0;
  private intervalsWithAway = 0;
  private burstChars = 0;
  private pBursts = 0;
  private pBurstChars = 0;
  private rBursts = 0;
  private rBurstChars = 0;

  constructor(th: Thresholds) {
    this.th = th;
    this.pauseOver = new Float64Array(th.pauseReportMs.length);
  }

  /** A text op at t, before it changes the text: closes the interval that it ends. */
  op(text: OriginText, seq: number, t: number, pos: number, del: number, ins: string, cause: string): void {
    const loc = this.locate(text, pos, del, ins, cause);
    // The first op ends no interval, so it starts no transition either.
    const boundary = this.lastOpT >= 0 && (loc === LOC_SENTENCE || loc === LOC_PARAGRAPH);
    if (!boundary && this.transOpen) this.closeTransition(seq, t);
    if (boundary && !this.transOpen) this.openTransition();
    this.interval(t, loc);
    if (loc === LOC_REVISION) this.endBurst(true);
    // The first non-space character after a boundary ends the transition and starts the sentence.
    if (boundary && this.transOpen && ins.length > 0 && !isSpace(ins.charCodeAt(0))) this.closeTransition(seq, t);
    if (this.sentence && ins.length > 0) this.sentence.excerpt = extendExcerpt(this.sentence.excerpt, ins);
    this.lastOpT = t;
    this.lastOpSeq = seq;
    this.awaySinceLastOp = false;
  }

  private openTransition(): void {
    // The sentence before it ends where the transition starts.
    this.endSentence();
    this.transOpen = true;
    this.transMs = 0;
    this.transPaused = false;
  }

  /** The transition ends at the op (seq, t) that starts the next sentence. */
  private closeTransition(seq: number, t: number): void {
    this.transOpen = false;
    this.boundary.add(this.transMs);
    if (this.transPaused) this.boundaryPauses++;
    this.sentence = { paused: this.transPaused, seqFrom: seq, tFrom: t, excerpt: '' };
  }

  private endSentence(): void {
    const s = this.sentence;
    this.sentence = null;
    if (!s || s.paused) return;
    this.unpausedCount++;
    if (this.unpausedSentences.length < MAX_MOMENTS) {
      this.unpausedSentences.push({
        seqFrom: s.seqFrom,
        seqTo: Math.max(s.seqFrom, this.lastOpSeq),
        tFrom: s.tFrom,
        tTo: Math.max(s.tFrom, this.lastOpT),
        excerpt: excerptOf(s.excerpt),
      });
    }
  }

  /** The unpaused sentences, with the one being typed now if its start held no pause (reads, never changes, the state). */
  unpausedMoments(): { moments: Moment[]; count: number } {
    const s = this.sentence;
    if (!s || s.paused || this.unpausedSentences.length >= MAX_MOMENTS)
      return { moments: [...this.unpausedSentences], count: this.unpausedCount + (s && !s.paused ? 1 : 0) };
    const open: Moment = {
      seqFrom: s.seqFrom,
      seqTo: Math.max(s.seqFrom, this.lastOpSeq),
      tFrom: s.tFrom,
      tTo: Math.max(s.tFrom, this.lastOpT),
      excerpt: excerptOf(s.excerpt),
    };
    return { moments: [...this.unpausedSentences, open], count: this.unpausedCount + 1 };
  }

  /** Characters the op added to the current burst (input methods count net of what they replace). */
  addBurstChars(n: number): void {
    this.burstChars += n;
  }

  /** The caret after the op, for telling the next op's location. */
  caretAt(pos: number): void {
    this.lastCaret = pos;
  }

  /** The student left the page: the interval running now contains time away. */
  departed(): void {
    this.awaySinceLastOp = true;
  }

  /** Where an interval that ends with this op falls, decided on the text before the op. */
  private locate(text: OriginText, pos: number, del: number, ins: string, cause: string): number {
    // An IME replacing its own composition is still inside the word being composed.
    if (cause === 'ime' && del > 0) return LOC_WITHIN;
    if (cause !== 'ime' && cause !== 'autocorrect') {
      if (del > 0 || ins.length === 0) return LOC_REVISION;
      if (pos !== this.lastCaret && pos < text.length && this.lastCaret >= 0) return LOC_REVISION;
    }
    const c1 = ins.length > 0 ? ins.charCodeAt(0) : 32;
    // Whitespace belongs to the transition it is typed in: after a sentence's end it is part of
    // the sentence boundary, a new line is a paragraph boundary, after a word a word boundary.
    if (c1 === 10) return LOC_PARAGRAPH;
    if (isSpace(c1)) return locateAfterSpaces(text, pos - 1);
    const c0 = text.charAt(pos - 1);
    if (c0 < 0 || c0 === 10) return LOC_PARAGRAPH;
    if (isTerminal(c0)) return LOC_SENTENCE;
    if (isSpace(c0)) return locateAfterSpaces(text, pos - 2);
    return isWordChar(c0) && isWordChar(c1) ? LOC_WITHIN : LOC_WORD;
  }

  private interval(t: number, loc: number): void {
    if (this.lastOpT < 0) return;
    const d = t - this.lastOpT;
    if (this.awaySinceLastOp) {
      this.intervalsWithAway++;
      this.interruptTransition();
      this.endBurst(false);
      return;
    }
    const boundary = loc === LOC_SENTENCE || loc === LOC_PARAGRAPH;
    this.locHist[loc]!.add(d);
    if (boundary && d > this.transMs) this.transMs = d;
    const over = this.pauseOver;
    const rep = this.th.pauseReportMs;
    for (let i = 0; i < rep.length; i++) if (d >= rep[i]!) over[i]!++;
    if (d >= this.th.pauseMs) {
      this.locPauses[loc]!++;
      this.pauses++;
      this.totalPauseMs += d;
      if (boundary) this.transPaused = true;
      this.endBurst(false);
    } else {
      this.activeMs += d;
    }
  }

  /** A departure interrupts the transition being typed: it closes where the writer left. */
  private interruptTransition(): void {
    if (!this.transOpen) return;
    this.transOpen = false;
    this.boundary.add(this.transMs);
    if (this.transPaused) this.boundaryPauses++;
    this.sentence = null;
  }

  /** A burst ends at a pause or a departure (P-burst) or at a revision (R-burst). */
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

  activeMetric(): number {
    return round(this.activeMs);
  }

  pausesMetrics(): WritingMetrics['pauses'] {
    const th = this.th;
    const byLocation = {} as Record<PauseLocation, PauseLocationStats>;
    PAUSE_LOCATIONS.forEach((name, i) => {
      const h = this.locHist[i]!;
      byLocation[name] = { intervals: h.n, pauses: this.locPauses[i]!, medianMs: round(h.quantile(0.5)), meanMs: round(h.mean()) };
    });
    const within = this.locHist[LOC_WITHIN]!.quantile(0.5);
    // A transition still open at the end counts as closed there; the state is only read.
    let boundaryHist = this.boundary;
    let boundaryPauses = this.boundaryPauses;
    if (this.transOpen) {
      boundaryHist = this.boundary.clone();
      boundaryHist.add(this.transMs);
      if (this.transPaused) boundaryPauses++;
    }
    const boundary = boundaryHist.quantile(0.5);
    return {
      thresholdMs: th.pauseMs,
      thresholdsMs: [...th.pauseReportMs],
      countsOver: Array.from(this.pauseOver),
      totalPauseMs: round(this.totalPauseMs),
      byLocation,
      sentenceGradient: within > 0 ? round(boundary / within, 3) : 0,
      sentencePauseShare: ratio(boundaryPauses, boundaryHist.n),
      boundaries: boundaryHist.n,
      pausedBoundaries: boundaryPauses,
      count: this.pauses,
      intervalsWithAway: this.intervalsWithAway,
    };
  }

  burstsMetrics(): WritingMetrics['bursts'] {
    // An open burst at the end of the session ends there: a P-burst.
    const pCount = this.pBursts + (this.burstChars > 0 ? 1 : 0);
    const pChars = this.pBurstChars + this.burstChars;
    return {
      p: { count: pCount, meanChars: ratio(pChars, pCount, 1) },
      r: { count: this.rBursts, meanChars: ratio(this.rBurstChars, this.rBursts, 1) },
    };
  }
}

/** After a space: the first non-space before it (within LOOKBACK) says whether a sentence, paragraph or word starts. */
function locateAfterSpaces(text: OriginText, from: number): number {
  for (let i = from, n = 0; n < LOOKBACK; i--, n++) {
    const c = text.charAt(i);
    if (c < 0 || c === 10) return LOC_PARAGRAPH;
    if (isSpace(c)) continue;
    return isTerminal(c) ? LOC_SENTENCE : LOC_WORD;
  }
  return LOC_WORD;
}
