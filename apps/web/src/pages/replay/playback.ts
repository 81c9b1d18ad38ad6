import { skipIdle, type ReplayIndex, type Stretch } from '@veritas/replay';

export const SPEEDS = [1, 2, 4, 8, 16, 32, 64] as const;
/** Performance marks, one per animation frame, and a measure of each frame's work: the viewer's frame rate is read from these. */
export const FRAME_MARK = 'replay:frame';
export const FRAME_WORK = 'replay:frame-work';
const MAX_MARKS = 4000;

export interface PlaybackView {
  /** Draws the moment t (seq is the last event at or before it). */
  draw(t: number, seq: number): void;
  /** Playing started or stopped (at the end, for instance). */
  onPlaying(playing: boolean): void;
}

/**
 * The playback clock: advances session time by wall time × speed on each animation frame,
 * jumps idle stretches when asked, and hands each frame to the view. No React in the loop.
 */
export class Playback {
  t: number;
  speed = 8;
  skipIdle = true;
  private playing = false;
  private raf = 0;
  private last = 0;
  private marks = 0;

  constructor(
    private readonly index: ReplayIndex,
    private readonly idle: readonly Stretch[],
    private readonly view: PlaybackView,
  ) {
    this.t = index.t0;
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  play(): void {
    if (this.playing) return;
    if (this.t >= this.index.t1) this.t = this.index.t0;
    this.playing = true;
    this.last = performance.now();
    this.view.onPlaying(true);
    this.raf = requestAnimationFrame(this.frame);
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.view.onPlaying(false);
  }

  seek(t: number): void {
    this.t = Math.min(this.index.t1, Math.max(this.index.t0, t));
    this.draw();
  }

  destroy(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
  }

  draw(): void {
    this.view.draw(this.t, this.index.seqAtTime(this.t));
  }

  private readonly frame = (now: number) => {
    if (!this.playing) return;
    if (++this.marks > MAX_MARKS) {
      performance.clearMarks(FRAME_MARK);
      performance.clearMeasures(FRAME_WORK);
      this.marks = 0;
    }
    const start = performance.mark(FRAME_MARK);
    const dt = Math.min(250, now - this.last); // a background tab does not leap ahead on return
    this.last = now;
    let t = this.t + dt * this.speed;
    if (this.skipIdle) t = skipIdle(this.idle, t, 300 * this.speed);
    this.t = Math.min(t, this.index.t1);
    this.draw();
    performance.measure(FRAME_WORK, { start: start.startTime, detail: { speed: this.speed } });
    if (this.t >= this.index.t1) {
      this.playing = false;
      this.view.onPlaying(false);
      return;
    }
    this.raf = requestAnimationFrame(this.frame);
  };
}
