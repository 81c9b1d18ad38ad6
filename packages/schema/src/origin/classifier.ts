import type { EventOf } from '../events';
import { ORIGIN_CODE as C } from './origins';
import { OriginText, clampOp } from './origin-text';

/** A paste op belongs to a clipboard paste event at most this long … */
export const PASTE_PAIR_MS = 2000;
/** … and at most this many events before it (the browser fires `paste` before the `input` it causes). */
export const PASTE_PAIR_SEQS = 8;
/** Recently deleted texts remembered, so undo, redo and drag-moves restore their origins. */
const DELETED_REMEMBERED = 32;

/** An op as the shared document model applies it: clamped, with the origin of what it inserts. */
export interface ClassifiedOp {
  seq: number;
  t: number;
  /** Clamped to the text before the op (clampOp). */
  pos: number;
  del: number;
  ins: string;
  /** The origin of every inserted unit when they share one; otherwise see `origins`. */
  origin: number;
  /** One origin per inserted unit, when they differ (undo or redo restoring mixed text). */
  origins?: Uint8Array;
  /** For a paste or drop that inserts text: whether it came from inside the session, and the clipboard event it was paired with. */
  paste?: { internal: boolean; clipboardSeq: number; clipboardT: number };
}

interface ClipboardPaste {
  seq: number;
  t: number;
  internal: boolean;
}

/**
 * The one origin classifier: where each character of the text came from. The analysis (paste
 * figures, paste flags) and the replay (the viewer's colours) both fold a session's events
 * through it in seq order, so they agree character for character. It decides:
 * - typed: a `type` op (or undo/redo of text it cannot trace);
 * - pasted from this session (internal): a paste paired with a clipboard paste event whose hash
 *   matches an earlier copy or cut (or that the recorder marked internal); an unpaired paste or a
 *   drop whose text was just deleted or is already in the document (a move or a duplicate);
 * - pasted from outside (external): any other paste or drop;
 * - input method: IME, dictation, autocorrect; and, for a writer whose accommodation is assistive
 *   technology, programmatic and keyless input (an on-screen keyboard, word prediction);
 * - inserted without keystrokes: programmatic ops, ops marked untrusted, and typed ops the caller
 *   knows no key was down for (the replay, which sees the key events that follow, tells it);
 * - given: the initial text; restored: text a snapshot put back.
 * It owns the document (an OriginText), so both packages apply the same clamped ops.
 */
export class OriginClassifier {
  readonly text: OriginText;
  private readonly copied = new Set<string>();
  private lastPaste: ClipboardPaste | null = null;
  private readonly deleted: { text: string; origins: Uint8Array }[] = [];

  /** The writer uses assistive technology: input without keys is its input method, not "no keystrokes". */
  private readonly assistive: boolean;

  constructor(initialText = '', options: { assistiveTechnology?: boolean } = {}) {
    this.text = new OriginText(initialText);
    this.assistive = options.assistiveTechnology === true;
  }

  /** A clipboard event: copies and cuts are remembered by hash; a paste waits for its op. */
  clipboard(e: EventOf<'clipboard'>): void {
    const { action, hash } = e.data;
    if (action !== 'paste') {
      this.copied.add(hash);
      return;
    }
    const internal = e.data.internal ?? (this.copied.has(hash) || [...this.copied].some((h) => h.startsWith(hash) || hash.startsWith(h)));
    this.lastPaste = { seq: e.seq, t: e.t, internal };
  }

  /**
   * Classifies a text op against the text as it is now, without applying it (the analysis reads
   * the text before the op to place the pause it ends). `keyless`: no key was down when it came.
   */
  classify(e: EventOf<'text.op'>, keyless = false): ClassifiedOp {
    const { ins, cause } = e.data;
    const { pos, del } = clampOp(this.text.length, e.data.pos, e.data.del);
    const out: ClassifiedOp = { seq: e.seq, t: e.t, pos, del, ins, origin: C.typed };
    if (ins.length === 0) return out;
    if (cause === 'paste' || cause === 'drop') {
      const paired = cause === 'paste' ? this.pairPaste(e.seq, e.t) : null;
      const internal = paired ? paired.internal : this.findDeleted(ins) !== undefined || this.text.toString().includes(ins);
      out.origin = internal ? C['paste-internal'] : C['paste-external'];
      out.paste = { internal, clipboardSeq: paired?.seq ?? e.seq, clipboardT: paired?.t ?? e.t };
    } else if (cause === 'ime' || cause === 'dictation' || cause === 'autocorrect') out.origin = C['input-method'];
    else if (cause === 'programmatic') out.origin = this.assistive ? C['input-method'] : C['no-keystrokes'];
    else if (cause === 'undo' || cause === 'redo') {
      const origins = this.findDeleted(ins);
      if (origins) setOrigins(out, origins);
    } else if (e.data.trusted === false || keyless) out.origin = this.assistive ? C['input-method'] : C['no-keystrokes'];
    return out;
  }

  /** Applies a classified op to the document. */
  apply(op: ClassifiedOp): void {
    if (op.del > 0) this.remember(this.text.slice(op.pos, op.pos + op.del), this.text.originsOf(op.pos, op.pos + op.del));
    this.text.splice(op.pos, op.del, op.ins, op.origins ?? op.origin);
  }

  /** Classifies and applies a text op. */
  op(e: EventOf<'text.op'>, keyless = false): ClassifiedOp {
    const c = this.classify(e, keyless);
    this.apply(c);
    return c;
  }

  /**
   * A snapshot: when it disagrees with the text the ops built, the snapshot wins; the smallest
   * op that turns one into the other is applied with origin `restored` and returned.
   */
  snapshot(e: EventOf<'snapshot'>): ClassifiedOp | null {
    const next = e.data.text;
    if (this.text.equals(next)) return null;
    const now = this.text.toString();
    let a = 0;
    const max = Math.min(now.length, next.length);
    while (a < max && now.charCodeAt(a) === next.charCodeAt(a)) a++;
    let b = 0;
    while (b < max - a && now.charCodeAt(now.length - 1 - b) === next.charCodeAt(next.length - 1 - b)) b++;
    const op: ClassifiedOp = { seq: e.seq, t: e.t, pos: a, del: now.length - a - b, ins: next.slice(a, next.length - b), origin: C.restored };
    this.apply(op);
    return op;
  }

  private pairPaste(seq: number, t: number): ClipboardPaste | null {
    const p = this.lastPaste;
    this.lastPaste = null;
    if (!p || seq - p.seq > PASTE_PAIR_SEQS || t - p.t > PASTE_PAIR_MS) return null;
    return p;
  }

  private remember(text: string, origins: Uint8Array): void {
    this.deleted.push({ text, origins });
    if (this.deleted.length > DELETED_REMEMBERED) this.deleted.shift();
  }

  private findDeleted(text: string): Uint8Array | undefined {
    for (let i = this.deleted.length - 1; i >= 0; i--) if (this.deleted[i]!.text === text) return this.deleted[i]!.origins;
    return undefined;
  }
}

function setOrigins(out: ClassifiedOp, origins: Uint8Array): void {
  let same = true;
  for (let i = 1; i < origins.length; i++) if (origins[i] !== origins[0]) same = false;
  if (same) out.origin = origins[0]!;
  else out.origins = origins;
}
