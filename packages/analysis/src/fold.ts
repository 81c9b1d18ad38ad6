import type { EventOf, VeritasEvent } from '@veritas/schema';
import { AwayFold } from './away.fold';
import { EditFold } from './edits.fold';
import { ProctoringFold, SensorFold } from './host';
import { KeyTimingFold } from './keys.fold';
import { KeylessFold } from './keyless.fold';
import { PasteFold } from './paste.fold';
import { PauseFold } from './pauses.fold';
import { RaisedFlags } from './raised-flags';
import { SpeedFold } from './speed.fold';
import { UntrustedFold } from './untrusted.fold';
import { ORIGIN_INPUT_METHOD, ORIGIN_OTHER, ORIGIN_PASTE_EXTERNAL, ORIGIN_PASTE_INTERNAL, ORIGIN_TYPED, TextBuffer } from './text-buffer';
import type { AnalysisOptions, Thresholds } from './types';

/**
 * The whole analysis as one left fold: `step` takes each event in seq order and hands it to the
 * parts that hold state about it (pauses, keys, pastes, keyless text, time away, …); nothing
 * depends on how the stream was cut into batches, so the incremental analyser and the whole
 * analysis share this state and reach the same result. Flags that can be decided at an event (a
 * paste, a return, a violation) are raised here, into `raised`; those that need the whole
 * session are computed from this state at the end (see result.ts).
 *
 * The step is the hot loop: the parts are plain classes created once, and a step allocates
 * nothing unless it raises a flag or records a departure.
 */
export class Fold {
  readonly th: Thresholds;
  readonly acceptHost: boolean;
  readonly text: TextBuffer;
  readonly raised = new RaisedFlags();

  events = 0;
  firstSeq = -1;
  lastSeq = -1;
  firstT = 0;
  lastT = 0;
  readonly byType: Record<string, number> = {};
  /** Metrics events refused with `acceptHostSignals: false`: seen, but not analysed or counted in `events`. */
  droppedHost = 0;
  ops = 0;
  keyEvents = 0;
  snapshots = 0;
  snapshotMismatches = 0;

  readonly pauses: PauseFold;
  readonly edits = new EditFold();
  readonly keys: KeyTimingFold;
  readonly speed: SpeedFold;
  readonly untrusted: UntrustedFold;
  readonly paste: PasteFold;
  readonly keyless: KeylessFold;
  readonly away: AwayFold;
  readonly proctor = new ProctoringFold();
  readonly sensors = new SensorFold();

  constructor(th: Thresholds, opts: AnalysisOptions) {
    this.th = th;
    this.acceptHost = opts.acceptHostSignals !== false;
    this.text = new TextBuffer(opts.initialText ?? '');
    this.pauses = new PauseFold(th);
    this.keys = new KeyTimingFold(th);
    this.speed = new SpeedFold(th);
    this.untrusted = new UntrustedFold(th.untrustedEvents, this.raised);
    this.paste = new PasteFold(th, this.raised);
    this.keyless = new KeylessFold(th, this.raised);
    this.away = new AwayFold(th, this.raised);
  }

  push(events: readonly VeritasEvent[]): void {
    for (let i = 0; i < events.length; i++) this.step(events[i]!);
  }

  step(e: VeritasEvent): void {
    const t = e.t;
    // Before this event moves lastSeq on: a return window that closed evidences up to the event before.
    this.away.expire(t, this.lastSeq, this.lastT);
    if (this.firstSeq < 0) {
      this.firstSeq = e.seq;
      this.firstT = t;
    }
    this.lastSeq = e.seq;
    this.lastT = t;
    if (e.type === 'metrics' && !this.acceptHost) {
      this.droppedHost++;
      return;
    }
    this.dispatch(e);
    this.events++;
    this.byType[e.type] = (this.byType[e.type] ?? 0) + 1;
  }

  private dispatch(e: VeritasEvent): void {
    switch (e.type) {
      case 'text.op':
        this.op(e);
        break;
      case 'key':
        this.key(e);
        break;
      case 'clipboard':
        this.paste.clipboard(e);
        break;
      case 'focus':
        if (this.away.focus(e)) this.pauses.departed();
        break;
      case 'visibility':
        if (this.away.visibility(e)) this.pauses.departed();
        break;
      case 'snapshot':
        this.snapshot(e);
        break;
      case 'metrics':
        this.proctor.metrics(e, this.th);
        break;
      case 'violation': {
        const f = this.proctor.violation(e, this.th, this.raised.flags);
        if (f) this.raised.warn(f);
        break;
      }
      case 'sensor':
        this.sensors.sensor(e, this.th);
        break;
      default:
        break;
    }
  }

  private op(e: EventOf<'text.op'>): void {
    const { pos, del, ins, cause } = e.data;
    const n = ins.length;
    this.ops++;
    if (e.data.trusted === false) {
      this.untrusted.event(e.seq, e.t);
      this.untrusted.chars += n;
    }
    // The interval this op ends is located on the text before the op changes it.
    this.pauses.op(this.text, e.t, pos, del, ins, cause);
    const origin = cause === 'ime' || cause === 'dictation' || cause === 'autocorrect' ? this.inputMethodOp(cause, n, del) : this.editOp(e, n, del, cause);
    if (n > 0) this.away.inserted(n, ins);
    this.text.splice(pos, del, ins, origin);
    this.pauses.caretAt(pos + n);
  }

  /** Input methods are neither typing, pasting nor automation: they count only as text added. */
  private inputMethodOp(cause: string, n: number, del: number): number {
    this.pauses.addBurstChars(this.edits.inputMethod(cause, n, del));
    return ORIGIN_INPUT_METHOD;
  }

  /** Any other op; returns the origin of the characters it inserts. */
  private editOp(e: EventOf<'text.op'>, n: number, del: number, cause: string): number {
    this.edits.edit(del, n);
    this.pauses.addBurstChars(n);
    if (cause === 'type') {
      if (n > 0) this.typed(e, n);
      return ORIGIN_TYPED;
    }
    if (cause === 'paste' || cause === 'drop') {
      if (n > 0) return this.pasted(e, n);
      if (cause === 'drop' && del > 0) this.paste.dropDeletion(e.t, del);
      return ORIGIN_TYPED; // inserts nothing, so no character takes this origin
    }
    if (cause === 'programmatic' && n > 0) this.keyless.programmatic(e, n);
    return ORIGIN_OTHER;
  }

  private typed(e: EventOf<'text.op'>, n: number): void {
    this.edits.typed(e.seq, e.t, n);
    this.speed.addChars(e.t, n);
    this.keyless.typed(e, n);
  }

  /** A paste or drop inserting n > 0 characters; an external one is also keyless text. */
  private pasted(e: EventOf<'text.op'>, n: number): number {
    if (this.paste.paste(e, n)) return ORIGIN_PASTE_INTERNAL;
    this.keyless.insertion(e.seq, e.t, n, e.data.cause);
    return ORIGIN_PASTE_EXTERNAL;
  }

  private key(e: EventOf<'key'>): void {
    const cls = e.data.class;
    this.keyEvents++;
    if (e.data.trusted === false) this.untrusted.event(e.seq, e.t);
    // Modifier and navigation keys produce no text, so they say nothing about typing rhythm.
    if (cls === 'modifier' || cls === 'nav') return;
    if (cls === 'char' || cls === 'space' || cls === 'enter') this.keyless.textKey();
    this.keys.key(e.seq, e.t, e.data.hold);
    this.speed.addKey(e.t - e.data.hold);
  }

  /** A snapshot that disagrees with the text the ops built wins: the text is reset to it. */
  private snapshot(e: EventOf<'snapshot'>): void {
    this.snapshots++;
    if (!this.text.equals(e.data.text)) {
      this.snapshotMismatches++;
      this.text.reset(e.data.text, ORIGIN_OTHER);
    }
  }
}
