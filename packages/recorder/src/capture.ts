import { LIMITS } from '@veritas/schema/chain';
import type { TextCause } from '@veritas/schema';
import { editorFor, type Editor } from './editor';
import { causeOf, isTransfer, keyClass } from './input-kinds';
import { sha256HexSync } from './sha256';
import { diffText, type ChangeHint } from './text-diff';
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

interface Pending {
  hint: ChangeHint | null;
  inputType: string;
}

const BACKWARD = /^delete.*Backward$/;
/** How long after a key press an insertion still counts as typed (ms). */
const KEY_WINDOW = 1000;

/**
 * Captures one editor: text changes from what the text became (before/after each input), key classes
 * and hold times, selection, clipboard hashes, focus. The page's visibility is captured by the core.
 *
 * The keystroke's listeners (keydown, beforeinput, input, keyup) only read (the text, the selection,
 * the event's fields) and queue what they read; the events are made from it later, in order, by
 * `drain()`: in a task of its own (within 100 ms), or at once before anything else is recorded (the
 * core's `push` drains first), spilled, exported or stopped. So the text diff, the event objects and
 * the batcher run outside the keystroke, and the events are the ones the listeners would have made
 * themselves (docs/adr/0032). Rarer events (focus, clipboard) are pushed at once, after the queue.
 */
export class TextCapture {
  readonly editor: Editor;
  /** The text as recorded: the initial text with every recorded op applied (once drained). */
  model = '';
  /** The text as last read by a listener: what `model` will be once the queue is drained. */
  private seen = '';
  private queue: (() => void)[] = [];
  private pending: Pending | null = null;
  private readonly held = new Map<string, { at: number; cls: ReturnType<typeof keyClass>; trusted: boolean }>();
  private lastKeyAt = -Infinity;
  private composing = false;
  private compositionKeys = 0;
  private sel: Sel = null;
  /** The last selection read by a check, which `sel` will be once drained: a read equal to it records nothing. */
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
    on<KeyboardEvent>(el, 'keydown', (e) => this.keydown(e));
    on<KeyboardEvent>(win, 'keyup', (e) => this.keyup(e), true);
    on<FocusEvent>(win, 'blur', () => this.releaseAll());
    on<InputEvent>(el, 'beforeinput', (e) => this.beforeinput(e));
    on<InputEvent>(el, 'input', (e) => this.input(e));
    on<CompositionEvent>(el, 'compositionstart', () => {
      this.composing = true;
      this.compositionKeys = 0;
    });
    on<CompositionEvent>(el, 'compositionend', () => {
      this.composing = false;
    });
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
    this.drain();
    for (const f of this.off.splice(0)) f();
  }

  /** Queues work made from what a listener read; the first one in an empty queue schedules a drain. */
  private defer(f: () => void): void {
    // Within 100 ms, in a task of its own: out of the keystroke, and a few keystrokes per task.
    if (this.queue.push(f) === 1) setTimeout(() => this.drain(), 100);
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
    for (const f of q) {
      try {
        f();
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
  private external(): void {
    const now = this.editor.read();
    if (now !== this.seen) this.record(now, null, 'programmatic', undefined);
  }

  private keydown(e: KeyboardEvent): void {
    const at = (this.lastKeyAt = e.timeStamp);
    this.checkSelection();
    if (this.composing || e.isComposing) this.compositionKeys++;
    if (e.repeat) return;
    this.held.set(e.code || e.key, { at, cls: keyClass(e.key), trusted: e.isTrusted });
  }

  private keyup(e: KeyboardEvent): void {
    const id = e.code || e.key;
    const press = this.held.get(id);
    if (!press) return;
    this.held.delete(id);
    const t = e.timeStamp;
    const data = { class: press.cls, hold: Math.max(0, round(t - press.at)), trusted: press.trusted && e.isTrusted };
    this.defer(() => this.sink.push('key', data, t));
    // A character or space typed without a modifier moves the caret only through its input, whose
    // op already read the selection: reading it again here (a layout read per keystroke) tells nothing.
    if ((press.cls !== 'char' && press.cls !== 'space') || e.ctrlKey || e.metaKey || e.altKey) this.checkSelection();
  }

  /** Keys still down when the window loses focus are closed then: their release is not seen. */
  private releaseAll(): void {
    const now = performance.now();
    for (const press of this.held.values()) this.sink.push('key', { class: press.cls, hold: Math.max(0, round(now - press.at)), trusted: press.trusted }, now);
    this.held.clear();
  }

  private beforeinput(e: InputEvent): void {
    this.external();
    const sel = this.editor.selection();
    this.pending = {
      hint: sel ? { start: sel.start, end: sel.end, backward: BACKWARD.test(e.inputType) } : null,
      inputType: e.inputType,
    };
  }

  private input(e: InputEvent): void {
    const pending = this.pending;
    this.pending = null;
    const after = this.editor.read();
    if (after === this.seen) return;
    const inputType = e.inputType || pending?.inputType;
    const trusted = e.isTrusted;
    const t = e.timeStamp;
    let cause: TextCause = trusted || inputType ? causeOf(inputType) : 'programmatic';
    const typedRecently = t - this.lastKeyAt < KEY_WINDOW;
    if (this.sink.inputMethod() === 'dictation' && !isTransfer(cause)) cause = 'dictation';
    else if (trusted && cause === 'ime' && this.compositionKeys === 0 && !typedRecently) cause = 'dictation';
    else if (trusted && cause === 'type' && inputType === 'insertText' && (e.data?.length ?? 0) > 1 && !typedRecently) cause = 'dictation';
    this.record(after, pending?.hint ?? null, cause, trusted, t);
  }

  /**
   * Reads what the change left (the text is `after`, the selection) now; the op is made from it later.
   * The selection read here is timed at the input event, when there is one (no clock read per keystroke).
   */
  private record(after: string, hint: ChangeHint | null, cause: TextCause, trusted: boolean | undefined, timeStamp?: number): void {
    this.seen = after;
    const s = (this.last = this.editor.selection());
    const now = timeStamp ?? performance.now();
    // The op, made later: the diff with the text as recorded, and where the change left the caret.
    this.defer(() => {
      const c = diffText(this.model, after, hint);
      this.model = after;
      if (!c) return;
      const extra = trusted === undefined ? {} : { trusted };
      // A change larger than one op may carry is recorded as several ops at consecutive positions.
      const max = LIMITS.opText;
      let pos = c.pos;
      for (let i = 0; i === 0 || i < c.ins.length; i += max) {
        const ins = c.ins.slice(i, i + max);
        this.sink.push('text.op', { pos, del: i === 0 ? c.del : 0, ins, cause, ...extra }, timeStamp);
        pos += ins.length;
      }
      this.opsSinceSnapshot++;
      const end = c.pos + c.ins.length;
      this.sel = { start: end, end };
      this.selected(s, now);
    });
  }

  /** Reads the selection now; it is recorded (later) if it differs from where the last change left the caret. */
  checkSelection(): void {
    const s = this.editor.selection();
    // Null records nothing; nor does the selection last read (typing: no clock read, nothing queued).
    if (!s || same(s, this.last)) return;
    this.last = s;
    const now = performance.now();
    this.defer(() => this.selected(s, now));
  }

  /** The selection `s`, read at `now`: recorded when it differs from the last one recorded. */
  private selected(s: Sel, now: number): void {
    if (!s || same(s, this.sel)) return;
    this.sel = s;
    this.sink.push('selection', s, now);
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
