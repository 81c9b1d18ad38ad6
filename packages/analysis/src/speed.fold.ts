import { round } from './histogram';
import type { SpeedWindow, Thresholds, WritingMetrics } from './types';

/** Typing speed: typed characters and production keys per fixed window of session time (index = floor(t / window)). */
export class SpeedFold {
  private readonly windowMs: number;
  private readonly chars: number[] = [];
  private readonly keys: number[] = [];

  constructor(th: Thresholds) {
    this.windowMs = th.speedWindowMs;
  }

  addChars(t: number, n: number): void {
    this.chars[this.windowAt(t)]! += n;
  }

  /** A production key, counted in the window of its press (a press before the session's start counts at 0). */
  addKey(press: number): void {
    this.keys[this.windowAt(press < 0 ? 0 : press)]! += 1;
  }

  /** The window holding t; both series grow together, so they stay the same length. */
  private windowAt(t: number): number {
    const w = Math.floor(t / this.windowMs);
    while (this.chars.length <= w) {
      this.chars.push(0);
      this.keys.push(0);
    }
    return w;
  }

  /** Windows from the first to the last with typing or keys; mean chars/min and its CV over windows with typing. */
  metrics(): WritingMetrics['speed'] {
    const windowMs = this.windowMs;
    const active: number[] = [];
    const windows: SpeedWindow[] = [];
    let firstWin = -1;
    for (let i = 0; i < this.chars.length; i++) {
      const c = this.chars[i]!;
      const k = this.keys[i]!;
      if (c > 0 || k > 0) {
        if (firstWin < 0) firstWin = i;
        if (c > 0) active.push((c * 60_000) / windowMs);
      }
      if (firstWin >= 0) windows.push({ tFrom: i * windowMs, chars: c, keys: k });
    }
    while (windows.length > 0 && windows[windows.length - 1]!.chars === 0 && windows[windows.length - 1]!.keys === 0) windows.pop();
    const mean = active.length ? active.reduce((a, b) => a + b, 0) / active.length : 0;
    const sd = active.length > 1 ? Math.sqrt(active.reduce((a, b) => a + (b - mean) * (b - mean), 0) / active.length) : 0;
    return { windowMs, windows, meanCharsPerMin: round(mean), cv: mean > 0 ? round(sd / mean, 4) : 0 };
  }
}
