import type { EventOf } from '@veritas/schema';
import { excerptOf } from './excerpt';
import { clock } from './host';
import { ratio } from './histogram';
import type { RaisedFlags } from './raised-flags';
import type { Thresholds, WritingMetrics } from './types';

/** A paste op belongs to the clipboard paste event at most this long before it. */
const CLIPBOARD_PASTE_MS = 2000;
/** A drop that inserts what a drop deleted this long before is a move inside the text. */
const DROP_MOVE_MS = 1000;

/**
 * Clipboard and pastes: copies and cuts (by hash), paste and drop ops, and whether each came from
 * inside the session (internal) or from outside (external, flagged by size).
 */
export class PasteFold {
  private readonly th: Thresholds;
  private readonly raised: RaisedFlags;
  private readonly copyHashes = new Set<string>();
  private pendingPasteT = -1;
  private pendingPasteSeq = -1;
  private pendingPasteInternal = false;
  private dropDelT = -1;
  private dropDelLen = 0;
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

  clipboard(e: EventOf<'clipboard'>): void {
    const d = e.data;
    if (d.action === 'paste') {
      this.pendingPasteT = e.t;
      this.pendingPasteSeq = e.seq;
      this.pendingPasteInternal = d.internal ?? this.copyHashes.has(d.hash);
    } else {
      this.copyHashes.add(d.hash);
    }
  }

  /** A drop op that only deletes: the first half of moving text by drag and drop. */
  dropDeletion(t: number, del: number): void {
    this.dropDelT = t;
    this.dropDelLen = del;
  }

  /** A paste or drop op inserting n > 0 characters. Returns true when it is internal. */
  paste(e: EventOf<'text.op'>, n: number): boolean {
    const t = e.t;
    let internal = false;
    let seqFrom = e.seq;
    let tFrom = t;
    if (e.data.cause === 'paste' && this.pendingPasteT >= 0 && t - this.pendingPasteT <= CLIPBOARD_PASTE_MS) {
      internal = this.pendingPasteInternal;
      // The evidence starts at the clipboard event.
      seqFrom = this.pendingPasteSeq;
      tFrom = this.pendingPasteT;
    } else if (e.data.cause === 'drop' && this.dropDelT >= 0 && t - this.dropDelT <= DROP_MOVE_MS && this.dropDelLen === n) {
      internal = true;
    }
    this.pendingPasteT = -1;
    this.dropDelT = -1;
    this.count++;
    this.chars += n;
    if (internal) {
      this.internalCount++;
      this.internalChars += n;
      return true;
    }
    this.external(e, n, seqFrom, tFrom);
    return false;
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
    this.raised.raise({
      detector: 'external-paste',
      severity: n >= th.externalPasteHighChars ? 'high' : n >= th.externalPasteChars ? 'medium' : 'low',
      evidence: { seqFrom, seqTo: e.seq, tFrom, tTo: e.t, excerpt: excerptOf(e.data.ins) },
      message: `${n} characters were pasted at ${clock(e.t)} from outside this session (they match nothing copied here).`,
      values: { chars: n, externalPasteLowChars: th.externalPasteLowChars, externalPasteChars: th.externalPasteChars, externalPasteHighChars: th.externalPasteHighChars },
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
