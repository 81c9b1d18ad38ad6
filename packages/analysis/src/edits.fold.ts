import { ratio } from './histogram';
import type { WritingMetrics } from './types';

/**
 * What the text ops added and removed: inserted and deleted characters, typed characters and
 * their range, and the characters that came through input methods (IME, dictation, autocorrect).
 */
export class EditFold {
  inserted = 0;
  private deleted = 0;
  private deletions = 0;
  typedChars = 0;
  firstTypedSeq = -1;
  firstTypedT = 0;
  lastTypedSeq = -1;
  lastTypedT = 0;
  private imOps = 0;
  private imChars = 0;
  private imeChars = 0;
  private dictationChars = 0;
  private autocorrectChars = 0;

  /**
   * An input-method op. Returns the characters it added: an IME op replaces its own composition,
   * so it counts net of what it deletes; an autocorrect replacement is not a deletion.
   */
  inputMethod(cause: string, n: number, del: number): number {
    this.imOps++;
    const net = cause === 'ime' ? (n > del ? n - del : 0) : n;
    this.imChars += net;
    if (cause === 'ime') this.imeChars += net;
    else if (cause === 'dictation') this.dictationChars += net;
    else this.autocorrectChars += net;
    this.inserted += net;
    return net;
  }

  /** Edits that changed earlier text (away from its end): going back into the text is composing, not copying. */
  inTextEdits = 0;

  /** Any other op at pos (clamped) on a text of `length` before it: it deletes `del` characters and inserts n. */
  edit(del: number, n: number, pos = 0, length = 0): void {
    if ((del > 0 || n > 0) && pos + del < length) this.inTextEdits++;
    if (del > 0) {
      this.deletions++;
      this.deleted += del;
    }
    this.inserted += n;
  }

  /** A typed op of n > 0 characters (already counted by `edit`). */
  typed(seq: number, t: number, n: number): void {
    this.typedChars += n;
    if (this.firstTypedSeq < 0) {
      this.firstTypedSeq = seq;
      this.firstTypedT = t;
    }
    this.lastTypedSeq = seq;
    this.lastTypedT = t;
  }

  revisionsMetrics(finalLength: number): WritingMetrics['revisions'] {
    return {
      insertedChars: this.inserted,
      deletedChars: this.deleted,
      deletions: this.deletions,
      revisionRatio: ratio(this.deleted, this.inserted),
      inTextEdits: this.inTextEdits,
      finalLength,
      productProcessRatio: ratio(finalLength, this.inserted),
    };
  }

  inputMethodMetrics(): WritingMetrics['inputMethod'] {
    return { ops: this.imOps, chars: this.imChars, byCause: { ime: this.imeChars, dictation: this.dictationChars, autocorrect: this.autocorrectChars } };
  }
}
