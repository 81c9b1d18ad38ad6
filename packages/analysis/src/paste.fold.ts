import type { ClassifiedOp, EventOf } from '@veritas/schema';
import { isSpace, isTerminal } from './chars';
import { excerptOf } from './excerpt';
import { clock } from './host';
import { ratio } from './histogram';
import type { RaisedFlags } from './raised-flags';
import type { Thresholds, WritingMetrics } from './types';

/**
 * Pastes and drops as the shared origin classifier (@veritas/schema) decided them: from inside
 * the session (internal) or from outside (external, flagged by size).
 */
export class PasteFold {
  private readonly th: Thresholds;
  private readonly raised: RaisedFlags;
  private count = 0;
  private chars = 0;
  private internalCount = 0;
  private internalChars = 0;
  private externalCount = 0;
  private externalChars = 0;
  private externalLargest = 0;
  /** Evidence for the session-level paste-share flag: the external pastes' range and the largest one's text. */
  largestExternalExcerpt = '';
  firstExternalSeq = -1;
  firstExternalT = 0;
  lastExternalSeq = -1;
  lastExternalT = 0;

  constructor(th: Thresholds, raised: RaisedFlags) {
    this.th = th;
    this.raised = raised;
  }

  /** A paste or drop op inserting n > 0 characters, as classified. */
  paste(e: EventOf<'text.op'>, n: number, how: NonNullable<ClassifiedOp['paste']>): void {
    this.count++;
    this.chars += n;
    if (how.internal) {
      this.internalCount++;
      this.internalChars += n;
      return;
    }
    // The evidence starts at the clipboard event.
    this.external(e, n, how.clipboardSeq, how.clipboardT);
  }

  private external(e: EventOf<'text.op'>, n: number, seqFrom: number, tFrom: number): void {
    this.externalCount++;
    this.externalChars += n;
    if (this.firstExternalSeq < 0) {
      this.firstExternalSeq = seqFrom;
      this.firstExternalT = tFrom;
    }
    this.lastExternalSeq = e.seq;
    this.lastExternalT = e.t;
    if (n > this.externalLargest) {
      this.externalLargest = n;
      this.largestExternalExcerpt = excerptOf(e.data.ins);
    }
    const th = this.th;
    if (n < th.externalPasteLowChars) return;
    const sentences = sentencesIn(e.data.ins);
    const severity = n >= th.externalPasteHighChars ? 'high' : n >= th.externalPasteChars || sentences >= th.externalPasteSentences ? 'medium' : 'low';
    this.raised.raise({
      detector: 'external-paste',
      severity,
      evidence: { seqFrom, seqTo: e.seq, tFrom, tTo: e.t, excerpt: excerptOf(e.data.ins) },
      message: `${n} characters were pasted at ${clock(e.t)} from outside this session (they match nothing copied here), holding ${sentences} complete sentence${sentences === 1 ? '' : 's'}.`,
      values: {
        chars: n,
        sentences,
        externalPasteLowChars: th.externalPasteLowChars,
        externalPasteChars: th.externalPasteChars,
        externalPasteHighChars: th.externalPasteHighChars,
        externalPasteSentences: th.externalPasteSentences,
      },
    });
  }

  /** `externalInFinal`: characters of the final text whose origin is an external paste. */
  metrics(externalInFinal: number, finalLength: number, inserted: number): WritingMetrics['paste'] {
    return {
      count: this.count,
      chars: this.chars,
      internal: { count: this.internalCount, chars: this.internalChars },
      external: { count: this.externalCount, chars: this.externalChars, largest: this.externalLargest },
      shareOfFinal: ratio(externalInFinal, finalLength),
      shareOfAdded: ratio(this.externalChars, inserted),
    };
  }
}

/** Complete sentences in a text: sentence-final punctuation followed by whitespace or the end. */
export function sentencesIn(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isTerminal(text.charCodeAt(i))) continue;
    const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 32;
    if (isSpace(next) || next === 34 || next === 41) n++;
  }
  return n;
}
