import { LIMITS } from '@veritas/schema/chain';
import type { TextCause } from '@veritas/schema';
import { editorFor, type Editor } from './editor';
import { causeOf, isTransfer, keyClass } from './input-kinds';
import { sha256HexSync } from './sha256';
import { diffText } from './text-diff';
import type { EventDataOf, VeritasEvent } from './types';

type DataOf<K extends VeritasEvent['type']> = EventDataOf<K>;
type Sel = { start: number; end: number } | null;

/** What the capture hands its events to: the recorder core. */
export interface CaptureSink {
  push<K extends VeritasEvent['type']>(type: K, data: DataOf<K>, timeStamp?: number): void;
  /** Remembers a copy/cut hash; answers whether a paste's hash was copied or cut earlier in the session. */
  clip(hash: string, remember: boolean): boolean;
  inputMethod(): 'dictation' | null;
  fail(code: string, error: unknown): void;
}

/**
 * What a listener read, queued in the order read: a key or composition event itself (its fields do
 * not change after dispatch, so they are read when drained); a text change `[after, selection, t,
 * input, beforeinput, selection before]` (the last three missing for a change a script made); a
 * selection read by a check `[selection, t]`.
 */
type Read = Event | Change | [Sel, number];
type Change = [after: string, s: Sel, t: number, input?: InputEvent, before?: InputEvent | null, hint?: Sel];

const BACKWARD = /^delete.*Backward$/;
/** How long after a key press an insertion still counts as typed (ms). */
const KEY_WINDOW = 1000;

/** A key that types one character (or a space) with no modifier: it moves the caret only through its input. */
const plain = (e: KeyboardEvent) => e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;

/**
 * Captures one editor: text changes from what the text became (before/after each input), key classes
 * and hold times, selection, clipboard hashes, focus. The page's visibility is captured by the core.
 *
 * The keystroke's listeners (keydown, beforeinput, input, keyup) only read what can only be read
 * then (the text, the selection) and queue it with the event itself; the events are made from the
 * queue later, in order, by `drain()`: in a task of its own (within 100 ms), or at once before
 * anything else is recorded (the core's `push` drains first), spilled, exported or stopped. So the
 * key state, the cause of a change, the text diff, the event objects and the batcher run outside the
 * keystroke, and the events are the ones the listeners would have made themselves (docs/adr/0032).
 * Rarer events (focus, clipboard) are pushed at once, after the queue.
 */
export class TextCapture {
  readonly editor: Editor;
  /** The text as recorded: the initial text with every recorded op applied (once drained). */
  model = '';
  /** The text as last read by a listener: what `model` will be once the queue is drained. */
  private seen = '';
  private queue: Read[] = [];
  /** The beforeinput not yet followed by its input, and the selection it found. */
  private pending: InputEvent | null = null;
  private hint: Sel = null;
  // Drained state: what the queue's key and composition events made so far.
  private readonly held = new Map<string, KeyboardEvent>();
  private lastKeyAt = -Infinity;
  private composing = false;
  private compositionKeys = 0;
  private sel: Sel = null;
  /** The last selection read, which `sel` will be once drained: a read equal to it records nothing. */
  private last: Sel = null;
  private readonly off: (() => void)[] = [];
  opsSinceSnapshot = 0;

  constructor(
    readonly el: HTMLElement,
    private readonly sink: CaptureSink,
  ) {
    this.editor = editorFor(el);
  }

  start(text: string): void {
    this.model = this.seen = text;
    this.sel = this.last = this.editor.selection();
    const on = <T extends Event>(target: EventTarget, type: string, fn: (e: T) => void, capture = false) => {
      const h = (e: Event) => {
        try {
          fn(e as T);
        } catch (err) {
          this.sink.fail('capture', err);
        }
      };
      target.addEventListener(type, h, capture);
      this.off.push(() => target.removeEventListener(type, h, capture));
    };
    const el = this.el;
    const win = el.ownerDocument.defaultView ?? window;
    on<KeyboardEvent>(el, 'keydown', (e) => {
      // A plain character's selection is read by its beforeinput; any other key may find it moved.
      if (!plain(e)) this.checkSelection();
      this.defer(e);
    });
    on<KeyboardEvent>(
      win,
      'keyup',
      (e) => {
        // A release closes a press only if one is held or queued: keys typed elsewhere on the page cost nothing more.
        if (!this.queue.length && !this.held.size) return;
        this.defer(e);
        // A plain character moves the caret only through its input, which read the selection after it.
        if (!plain(e)) this.checkSelection();
      },
      true,
    );
    on<FocusEvent>(win, 'blur', () => this.releaseAll());
    on<InputEvent>(el, 'beforeinput', (e) => this.beforeinput(e));
    on<InputEvent>(el, 'input', (e) => this.input(e));
    on<CompositionEvent>(el, 'compositionstart', (e) => this.defer(e));
    on<CompositionEvent>(el, 'compositionend', (e) => this.defer(e));
    on<ClipboardEvent>(el, 'copy', (e) => this.clipboard('copy', this.editor.selectedText(), e));
    on<ClipboardEvent>(el, 'cut', (e) => this.clipboard('cut', this.editor.selectedText(), e));
    on<ClipboardEvent>(el, 'paste', (e) => this.clipboard('paste', e.clipboardData?.getData('text/plain') ?? '', e));
    on<FocusEvent>(el, 'focus', (e) => {
      this.sink.push('focus', { state: 'focus' }, e.timeStamp);
      this.checkSelection();
    });
    on<FocusEvent>(el, 'blur', (e) => this.sink.push('focus', { state: 'blur' }, e.timeStamp));
    on<Event>(el, 'select', () => this.checkSelection());
    on<MouseEvent>(el, 'mouseup', () => this.checkSelection());
    on<Event>(el.ownerDocument, 'selectionchange', () => {
      if (el.ownerDocument.activeElement === el || el.contains(el.ownerDocument.activeElement)) this.checkSelection();
    });
  }

  stop(): void {
    this.releaseAll();
    for (const f of this.off.splice(0)) f();
  }

  /** Queues what a listener read; the first read in an empty queue schedules a drain. */
  private defer(r: Read): void {
    // Within 100 ms, in a task of its own: out of the keystroke, and a few keystrokes per task.
    if (this.queue.push(r) === 1) setTimeout(() => this.drain(), 100);
  }

  /**
   * Makes the queued events now, in the order they were read. The queue is taken first, so a push
   * from inside (which drains before it records) finds it empty; a drain timer that finds it empty
   * does nothing.
   */
  drain(): void {
    const q = this.queue;
    this.queue = [];
    // A failing entry is reported and dropped, as a failing listener was; the rest still drain.
    for (const r of q) {
      try {
        if (!Array.isArray(r)) this.step(r);
        else if (typeof r[0] === 'string') this.record(...(r as Change));
        else this.selected(r[0], r[1] as number);
      } catch (err) {
        this.sink.fail('capture', err);
      }
    }
  }

  /** Records a change nobody typed (a script set the value): compares the editor with the model. */
  syncExternal(): void {
    this.external();
    this.drain();
  }

  /** A script changed the text since it was last read: that change is recorded first, as programmatic. */
  private external(s?: Sel): void {
    const now = this.editor.read();
    if (now !== this.seen) this.changed([now, s === undefined ? this.editor.selection() : s, performance.now()]);
  }

  /** A change read now: the text it left and the selection after it; the op is made from them when drained. */
  private changed(r: Change): void {
    this.seen = r[0];
    this.last = r[1];
    this.defer(r);
  }

  /** Keys still down when the window loses focus are closed then: their release is not seen. */
  private releaseAll(): void {
    this.drain();
    const now = performance.now();
    for (const press of this.held.values())
      this.sink.push('key', { class: keyClass(press.key), hold: Math.max(0, round(now - press.timeStamp)), trusted: press.isTrusted }, now);
    this.held.clear();
  }

  private beforeinput(e: InputEvent): void {
    // The check a plain character's keydown left to this listener; the same read is the change's hint.
    const s = this.checkSelection();
    this.external(s);
    this.pending = e;
    this.hint = s;
  }

  private input(e: InputEvent): void {
    const before = this.pending;
    this.pending = null;
    const after = this.editor.read();
    if (after !== this.seen) this.changed([after, this.editor.selection(), e.timeStamp, e, before, this.hint]);
  }

  /** A key or composition event, drained in its place: the state the text changes after it are judged with. */
  private step(e: Event): void {
    const k = e as KeyboardEvent;
    const id = k.code || k.key;
    if (e.type === 'keydown') {
      this.lastKeyAt = e.timeStamp;
      if (this.composing || k.isComposing) this.compositionKeys++;
      if (!k.repeat) this.held.set(id, k);
    } else if (e.type === 'keyup') {
      const press = this.held.get(id);
      if (!press) return;
      this.held.delete(id);
      const t = e.timeStamp;
      this.sink.push('key', { class: keyClass(press.key), hold: Math.max(0, round(t - press.timeStamp)), trusted: press.isTrusted && e.isTrusted }, t);
    } else {
      this.composing = e.type === 'compositionstart';
      if (this.composing) this.compositionKeys = 0;
    }
  }

  /**
   * The op of a change read at `t`: the diff of the text as recorded with `after` (the selection
   * before the input as its hint), the cause from the input and the keys before it, and where the
   * change left the caret (`s`, timed at the change).
   */
  private record(after: string, s: Sel, t: number, e?: InputEvent, before?: InputEvent | null, hint?: Sel): void {
    let cause: TextCause = 'programmatic';
    let extra = {};
    if (e) {
      const inputType = e.inputType || before?.inputType;
      const trusted = e.isTrusted;
      const typedRecently = t - this.lastKeyAt < KEY_WINDOW;
      extra = { trusted };
      if (trusted || inputType) cause = causeOf(inputType);
      if (this.sink.inputMethod() === 'dictation' && !isTransfer(cause)) cause = 'dictation';
      else if (trusted && cause === 'ime' && this.compositionKeys === 0 && !typedRecently) cause = 'dictation';
      else if (trusted && cause === 'type' && inputType === 'insertText' && (e.data?.length ?? 0) > 1 && !typedRecently) cause = 'dictation';
    }
    const c = diffText(this.model, after, before && hint ? { ...hint, backward: BACKWARD.test(before.inputType) } : null);
    this.model = after;
    if (!c) return;
    // A change larger than one op may carry is recorded as several ops at consecutive positions.
    const max = LIMITS.opText;
    let pos = c.pos;
    for (let i = 0; i === 0 || i < c.ins.length; i += max) {
      const ins = c.ins.slice(i, i + max);
      this.sink.push('text.op', { pos, del: i === 0 ? c.del : 0, ins, cause, ...extra }, t);
      pos += ins.length;
    }
    this.opsSinceSnapshot++;
    const end = c.pos + c.ins.length;
    this.sel = { start: end, end };
    this.selected(s, t);
  }

  /** Reads the selection now (and answers it); it is recorded (later) if it differs from the last one read. */
  checkSelection(): Sel {
    const s = this.editor.selection();
    // Null records nothing; nor does the selection last read (typing: no clock read, nothing queued).
    if (s && !same(s, this.last)) this.defer([(this.last = s), performance.now()]);
    return s;
  }

  /** The selection `s`, read at `t`: recorded when it differs from the last one recorded. */
  private selected(s: Sel, t: number): void {
    if (!s || same(s, this.sel)) return;
    this.sel = s;
    this.sink.push('selection', s, t);
  }

  private clipboard(action: 'copy' | 'cut' | 'paste', text: string, e: Event): void {
    const hash = sha256HexSync(text).slice(0, 32);
    const internal = this.sink.clip(hash, action !== 'paste');
    this.sink.push('clipboard', action === 'paste' ? { action, len: text.length, hash, internal } : { action, len: text.length, hash }, e.timeStamp);
  }
}

function same(a: NonNullable<Sel>, b: Sel): boolean {
  return !!b && a.start === b.start && a.end === b.end;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
