import { Hist, ratio } from './histogram';
import type { Thresholds, WritingMetrics } from './types';

/**
 * Timing of production keys (all but modifier and navigation keys): hold times, press-to-press
 * intervals and overlap (a key pressed before the previous one was released). A key event comes
 * at its release, so press = t − hold.
 */
export class KeyTimingFold {
  private readonly th: Thresholds;
  count = 0;
  private lastPress = -1;
  private lastRelease = -1;
  private overlaps = 0;
  private overlapPairs = 0;
  private readonly interKey = new Hist();
  private readonly hold = new Hist();
  firstSeq = -1;
  firstT = 0;
  lastSeq = -1;
  lastT = 0;

  constructor(th: Thresholds) {
    this.th = th;
  }

  /** A production key released at t after being held for `hold` ms. */
  key(seq: number, t: number, hold: number): void {
    const press = t - hold;
    this.count++;
    if (this.firstSeq < 0) {
      this.firstSeq = seq;
      this.firstT = t;
    }
    this.lastSeq = seq;
    this.lastT = t;
    this.hold.add(hold);
    if (this.lastRelease >= 0) {
      this.overlapPairs++;
      if (press < this.lastRelease) this.overlaps++;
      // Intervals that are pauses say when the writer thinks, not how the hand moves.
      const d = press - this.lastPress;
      if (d >= 0 && d < this.th.pauseMs) this.interKey.add(d);
    }
    this.lastPress = press;
    this.lastRelease = t;
  }

  metrics(untrusted: number): WritingMetrics['keys'] {
    return {
      count: this.count,
      interKey: this.interKey.distribution(),
      hold: this.hold.distribution(),
      overlapRatio: ratio(this.overlaps, this.overlapPairs),
      untrusted,
    };
  }
}
