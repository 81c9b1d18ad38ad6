import {
  ORIGIN_CODE,
  OriginClassifier,
  capabilitiesOf,
  type Capabilities,
  type ClassifiedOp,
  type EventOf,
  type OriginText,
  type VeritasEvent,
} from '@veritas/schema';
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
  /** What the source captured: a signal it did not capture is never read, so never evidence. */
  readonly caps: Capabilities;
  /** The shared document model and origin classifier (the replay folds through the same one). */
  readonly origins: OriginClassifier;
  readonly text: OriginText;
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
    this.caps = capabilitiesOf(opts.capabilities);
    this.origins = new OriginClassifier(opts.initialText ?? '', { assistiveTechnology: opts.assistiveTechnology });
    this.text = this.origins.text;
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
    if (!this.captured(e)) return;
    switch (e.type) {
      case 'text.op':
        this.op(e);
        break;
      case 'key':
        this.key(e);
        break;
      case 'clipboard':
        this.origins.clipboard(e);
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

  /** Whether the source declared it captures this kind of event (events it did not declare are ignored). */
  private captured(e: VeritasEvent): boolean {
    const c = this.caps;
    switch (e.type) {
      case 'text.op':
      case 'snapshot':
        return c.textChanges;
      case 'key':
        return c.keys;
      case 'clipboard':
        return c.clipboard;
      case 'focus':
      case 'visibility':
        return c.focus;
      case 'selection':
        return c.selection;
      default:
        return true;
    }
  }

  private op(e: EventOf<'text.op'>): void {
    const { ins, cause } = e.data;
    const n = ins.length;
    this.ops++;
    if (e.data.trusted === false && this.caps.trustedFlags) {
      this.untrusted.event(e.seq, e.t);
      this.untrusted.chars += n;
    }
    // One document model with the replay: the op is clamped to the text, and only what it
    // really deletes counts.
    const c = this.origins.classify(e);
    // The interval this op ends is located on the text before the op changes it.
    this.pauses.op(this.text, e.seq, e.t, c.pos, c.del, ins, cause);
    if (cause === 'ime' || cause === 'dictation' || cause === 'autocorrect') this.pauses.addBurstChars(this.edits.inputMethod(cause, n, c.del));
    else this.editOp(e, c, n, cause);
    if (n > 0) this.away.inserted(n, ins);
    this.origins.apply(c);
    this.pauses.caretAt(c.pos + n);
  }

  /** Any op but an input method's. */
  private editOp(e: EventOf<'text.op'>, c: ClassifiedOp, n: number, cause: string): void {
    this.edits.edit(c.del, n, c.pos, this.text.length);
    this.pauses.addBurstChars(n);
    if (cause === 'type') {
      if (n > 0) this.typed(e, n);
      return;
    }
    if (c.paste) {
      this.paste.paste(e, n, c.paste);
      // An external paste or drop is also keyless text.
      if (!c.paste.internal) this.keyless.insertion(e.seq, e.t, n, cause);
      return;
    }
    if (cause === 'programmatic' && n > 0) this.keyless.programmatic(e, n);
  }

  private typed(e: EventOf<'text.op'>, n: number): void {
    this.edits.typed(e.seq, e.t, n);
    this.speed.addChars(e.t, n);
    // Without key events there is no telling typed text from keyless text.
    if (this.caps.keys) this.keyless.typed(e, n);
  }

  private key(e: EventOf<'key'>): void {
    const cls = e.data.class;
    this.keyEvents++;
    if (e.data.trusted === false && this.caps.trustedFlags) this.untrusted.event(e.seq, e.t);
    // Modifier and navigation keys produce no text, so they say nothing about typing rhythm.
    if (cls === 'modifier' || cls === 'nav') return;
    if (cls === 'char' || cls === 'space' || cls === 'enter') this.keyless.textKey();
    this.keys.key(e.seq, e.t, e.data.hold);
    this.speed.addKey(e.t - e.data.hold);
  }

  /** A snapshot that disagrees with the text the ops built wins: the shared model applies the difference. */
  private snapshot(e: EventOf<'snapshot'>): void {
    this.snapshots++;
    if (this.origins.snapshot(e)) this.snapshotMismatches++;
  }
}

export const ORIGIN_PASTE_EXTERNAL = ORIGIN_CODE['paste-external'];
