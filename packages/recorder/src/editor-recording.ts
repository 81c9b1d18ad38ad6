import { LIMITS } from '@veritas/schema/chain';
import { TextCapture, type CaptureSink } from './capture';
import type { RecorderOptions } from './types';

/**
 * The editor side of a session: its capture, and full-text snapshots (at the start, every
 * `snapshotMs` while the text changes, and at the end) so replay can seek without folding every op.
 */
export class EditorRecording {
  private capture: TextCapture | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly el: HTMLElement | null,
    private readonly sink: CaptureSink,
    private readonly opts: RecorderOptions,
  ) {}

  /** Starts capturing a new session and snapshots the text it starts from; that text, or null without an editor. */
  startNew(): string | null {
    if (!this.el) return null;
    this.capture = new TextCapture(this.el, this.sink);
    const text = this.capture.editor.read();
    this.capture.start(text);
    this.snapshot(text);
    return text;
  }

  /** Captures again after a reload from the recorded text, putting that text back unless the host said not to. */
  resume(text: string): void {
    if (!this.el) return;
    this.capture = new TextCapture(this.el, this.sink);
    if (this.opts.restoreText !== false && this.capture.editor.read() !== text) this.capture.editor.write(text);
    this.capture.start(text);
    this.capture.syncExternal();
  }

  startSnapshots(): void {
    if (this.capture) this.timer = setInterval(() => this.snapshotIfChanged(), this.opts.snapshotMs ?? 30_000);
  }

  /** Makes the events the capture has read and not yet made: before anything else is recorded or kept. */
  drain(): void {
    this.capture?.drain();
  }

  /** Records what a script changed in the editor since the last event (no input event tells of it). */
  sync(): void {
    this.capture?.syncExternal();
  }

  /** Ends capturing with a last snapshot if the text changed since the one before. */
  finish(): void {
    if (!this.capture) return;
    this.snapshotIfChanged();
    this.capture.stop();
    this.capture = null;
  }

  stop(): void {
    this.capture?.stop();
    this.capture = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private snapshotIfChanged(): void {
    const capture = this.capture;
    if (!capture) return;
    capture.syncExternal();
    if (capture.opsSinceSnapshot > 0) this.snapshot(capture.model);
  }

  private snapshot(text: string): void {
    if (this.capture) this.capture.opsSinceSnapshot = 0;
    if (text.length <= LIMITS.snapshotText) this.sink.push('snapshot', { text });
  }
}
