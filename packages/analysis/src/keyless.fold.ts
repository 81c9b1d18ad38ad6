import type { EventOf } from '@veritas/schema';
import { excerptOf, extendExcerpt } from './excerpt';
import { clock } from './host';
import type { RaisedFlags } from './raised-flags';
import type { Flag, Thresholds, WritingMetrics } from './types';

/** How far text keys may run ahead of typed characters (keys whose text never arrived, e.g. in a field the fold does not see). */
const MAX_KEY_CREDIT = 8;

/**
 * Text without keystrokes: typed characters with no text keys behind them (an auto-typer that
 * fires input events only), programmatic insertions, and the largest keyless insertion of any kind.
 * A run opens when typed characters outnumber the text keys pressed and ends when keys catch up.
 */
export class KeylessFold {
  private readonly th: Thresholds;
  private readonly raised: RaisedFlags;
  /** Text keys pressed (char, space, enter). */
  textKeys = 0;
  /** Typed characters minus text keys, floored at −MAX_KEY_CREDIT. */
  private balance = 0;
  private runOpen = false;
  private runStartSeq = 0;
  private runStartT = 0;
  private runEndSeq = 0;
  private runEndT = 0;
  /** The run's size: the most typed characters it got ahead of the keys. */
  private runMax = 0;
  private runExcerpt = '';
  private runAlerted = false;
  private typedWithoutKeys = 0;
  private programmaticChars = 0;
  private largest = 0;
  private largestSeq = -1;
  private largestT = 0;
  private largestCause = '';

  constructor(th: Thresholds, raised: RaisedFlags) {
    this.th = th;
    this.raised = raised;
  }

  /** An insertion of n characters with no keystroke behind it; remembers the largest. */
  insertion(seq: number, t: number, n: number, cause: string): void {
    if (n > this.largest) {
      this.largest = n;
      this.largestSeq = seq;
      this.largestT = t;
      this.largestCause = cause;
    }
  }

  /** A typed op of n > 0 characters: they count against the text keys. */
  typed(e: EventOf<'text.op'>, n: number): void {
    if (n > 1) this.insertion(e.seq, e.t, n, 'type');
    if (this.balance <= 0 && !this.runOpen) this.openRun(e.seq, e.t);
    this.balance += n;
    this.runEndSeq = e.seq;
    this.runEndT = e.t;
    this.runExcerpt = extendExcerpt(this.runExcerpt, e.data.ins);
    if (this.balance > this.runMax) {
      this.runMax = this.balance;
      if (!this.runAlerted && this.runMax >= this.th.keylessChars) {
        this.runAlerted = true;
        this.raised.warn(this.runFlag(true));
      }
    }
  }

  /** A text key: it pays for one typed character; a run ends when the keys catch up. */
  textKey(): void {
    this.textKeys++;
    this.balance--;
    if (this.balance < -MAX_KEY_CREDIT) this.balance = -MAX_KEY_CREDIT;
    if (this.runOpen && this.balance <= 0) this.closeRun();
  }

  /** A programmatic op of n > 0 characters (the page or an extension inserting text). */
  programmatic(e: EventOf<'text.op'>, n: number): void {
    this.programmaticChars += n;
    this.insertion(e.seq, e.t, n, 'programmatic');
    if (n < this.th.keylessChars) return;
    this.raised.raise({
      detector: 'keyless-text',
      severity: 'medium',
      evidence: { seqFrom: e.seq, seqTo: e.seq, tFrom: e.t, tTo: e.t, excerpt: excerptOf(e.data.ins) },
      message: `${n} characters were inserted by the page or an extension at ${clock(e.t)}, with no key presses (${this.th.keylessChars} or more is flagged).`,
      values: { chars: n, keylessChars: this.th.keylessChars },
    });
  }

  /** Whether the run still open at the end of the stream is large enough to flag. */
  openRunFlagged(): boolean {
    return this.runOpen && this.runMax >= this.th.keylessChars;
  }

  /** The flag for the current run of typed text with no key presses behind it. */
  runFlag(live = false): Flag {
    const chars = this.runMax;
    return {
      detector: 'keyless-text',
      severity: chars >= this.th.keylessChars * 5 ? 'high' : 'medium',
      evidence: { seqFrom: this.runStartSeq, seqTo: this.runEndSeq, tFrom: this.runStartT, tTo: this.runEndT, excerpt: excerptOf(this.runExcerpt) },
      message: `${live ? 'So far, ' : ''}${chars} characters appeared as typing between ${clock(this.runStartT)} and ${clock(this.runEndT)} with no key presses to produce them (${this.th.keylessChars} or more is flagged, ${this.th.keylessChars * 5} or more is high).`,
      values: { charsWithoutKeys: chars, keylessChars: this.th.keylessChars, keylessHighChars: this.th.keylessChars * 5 },
    };
  }

  private openRun(seq: number, t: number): void {
    this.runOpen = true;
    this.runStartSeq = seq;
    this.runStartT = t;
    this.runMax = 0;
    this.runExcerpt = '';
    this.runAlerted = false;
  }

  /** The run's live alert went out when it crossed the threshold; its flag is recorded now that it ended. */
  private closeRun(): void {
    this.runOpen = false;
    if (this.runMax >= this.th.keylessChars) {
      this.typedWithoutKeys += this.runMax;
      this.raised.record(this.runFlag());
    }
  }

  metrics(untrustedChars: number): WritingMetrics['keyless'] {
    return {
      largestInsertion: this.largestSeq >= 0 ? { chars: this.largest, seq: this.largestSeq, t: this.largestT, cause: this.largestCause } : null,
      // A run still open at the end counts as if it ended there.
      typedWithoutKeys: this.typedWithoutKeys + (this.openRunFlagged() ? this.runMax : 0),
      programmaticChars: this.programmaticChars,
      untrustedChars,
    };
  }
}
