import type { KeyClass, TextCause, VeritasEvent } from '@veritas/schema';
import { textHash } from './prng';

interface Pending {
  t: number;
  o: number;
  type: VeritasEvent['type'];
  data: unknown;
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export function keyClassOf(ch: string): KeyClass {
  if (ch === ' ') return 'space';
  if (ch === '\n') return 'enter';
  return 'char';
}

/**
 * Records what a simulated writer does as v1 events, keeping the document so every text.op's
 * position is right. Times are ms since the session started; `now` is the last press.
 * A key's event is stamped at its release (press + hold); its text.op at the press.
 */
export class Tape {
  doc = '';
  caret = 0;
  now = 0;
  private pending: Pending[] = [];
  private order = 0;
  /** undefined: leave `trusted` out, as most recorders do for ordinary events. */
  trusted: boolean | undefined = undefined;

  emit(t: number, type: VeritasEvent['type'], data: unknown): void {
    this.pending.push({ t: r1(Math.max(0, t)), o: this.order++, type, data });
  }

  private withTrust<T extends object>(d: T): T {
    return this.trusted === undefined ? d : { ...d, trusted: this.trusted };
  }

  key(press: number, cls: KeyClass, hold: number): void {
    this.emit(press + hold, 'key', this.withTrust({ class: cls, hold: r1(Math.max(1, hold)) }));
  }

  op(t: number, pos: number, del: number, ins: string, cause: TextCause): void {
    this.doc = this.doc.slice(0, pos) + ins + this.doc.slice(pos + del);
    this.caret = pos + ins.length;
    this.emit(t, 'text.op', this.withTrust({ pos, del, ins, cause }));
  }

  /** Press a key `gap` ms after the previous press; `withKey` false types with no key event. */
  typeChar(ch: string, gap: number, hold: number, withKey = true, cause: TextCause = 'type'): void {
    this.now += Math.max(1, gap);
    this.op(this.now, this.caret, 0, ch, cause);
    if (withKey) this.key(this.now, keyClassOf(ch), hold);
  }

  backspace(gap: number, hold: number): void {
    this.now += Math.max(1, gap);
    if (this.caret > 0) this.op(this.now, this.caret - 1, 1, '', 'type');
    this.key(this.now, 'backspace', hold);
  }

  /** Click somewhere (no key): a selection event moves the caret. */
  click(gap: number, pos: number): void {
    this.now += Math.max(1, gap);
    this.caret = Math.max(0, Math.min(pos, this.doc.length));
    this.emit(this.now, 'selection', { start: this.caret, end: this.caret });
  }

  /** Select doc[from, to) with the mouse and press Delete. */
  selectDelete(gap: number, from: number, to: number): void {
    this.now += Math.max(1, gap);
    this.emit(this.now, 'selection', { start: from, end: to });
    this.now += 400;
    this.op(this.now, from, to - from, '', 'type');
    this.key(this.now, 'delete', 90);
  }

  /** Ctrl+V (or drop) of `text`; `hash` says where it came from: a copy in the session or not. */
  paste(gap: number, text: string, hash: string, internal?: boolean): void {
    this.now += Math.max(1, gap);
    this.key(this.now, 'modifier', 180);
    this.key(this.now + 40, 'char', 90);
    this.emit(
      this.now + 45,
      'clipboard',
      internal === undefined ? { action: 'paste', len: text.length, hash } : { action: 'paste', len: text.length, hash, internal },
    );
    this.now += 46;
    this.op(this.now, this.caret, 0, text, 'paste');
  }

  /** Ctrl+C of doc[from, to): returns the clipboard hash. */
  copy(gap: number, from: number, to: number): string {
    this.now += Math.max(1, gap);
    this.emit(this.now, 'selection', { start: from, end: to });
    const text = this.doc.slice(from, to);
    const hash = textHash(text);
    this.key(this.now + 300, 'modifier', 200);
    this.key(this.now + 340, 'char', 80);
    this.emit(this.now + 345, 'clipboard', { action: 'copy', len: text.length, hash });
    this.now += 350;
    return hash;
  }

  /** Leaves the page (blur, hidden) for `ms`, then comes back. */
  away(gap: number, ms: number): void {
    this.now += Math.max(1, gap);
    this.emit(this.now, 'focus', { state: 'blur' });
    this.emit(this.now + 5, 'visibility', { state: 'hidden' });
    this.now += ms;
    this.emit(this.now, 'visibility', { state: 'visible' });
    this.emit(this.now + 5, 'focus', { state: 'focus' });
    this.now += 5;
  }

  /** The events in time order (ties keep the order they were made in), numbered from seq 0. */
  events(): VeritasEvent[] {
    const sorted = this.pending.slice().sort((a, b) => a.t - b.t || a.o - b.o);
    return sorted.map((p, seq) => ({ seq, t: p.t, type: p.type, data: p.data }) as VeritasEvent);
  }
}
