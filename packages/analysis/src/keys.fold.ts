import { Hist, ratio } from './histogram';
import type { Moment, Thresholds, WritingMetrics } from './types';

/** Keys per stretch for the machine-regular evidence, and how many regular stretches are kept. */
const STRETCH_KEYS = 50;
const MAX_STRETCHES = 20;

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
  /** The stretch of keys being gathered: intervals and holds, for the evidence of regular typing. */
  private stretchIntervals: number[] = [];
  private stretchHolds: number[] = [];
  private stretchSeq = -1;
  private stretchT = 0;
  private readonly stretches: Moment[] = [];

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
    if (this.stretchSeq < 0) {
      this.stretchSeq = seq;
      this.stretchT = t;
    }
    this.stretchHolds.push(hold);
    if (this.lastRelease >= 0) {
      this.overlapPairs++;
      if (press < this.lastRelease) this.overlaps++;
      // Intervals that are pauses say when the writer thinks, not how the hand moves.
      const d = press - this.lastPress;
      if (d >= 0 && d < this.th.pauseMs) {
        this.interKey.add(d);
        this.stretchIntervals.push(d);
      }
    }
    this.lastPress = press;
    this.lastRelease = t;
    if (this.stretchHolds.length >= STRETCH_KEYS) this.endStretch(seq, t);
  }

  /** A stretch of STRETCH_KEYS keys is kept as evidence when it is regular on its own (constant holds or intervals). */
  private endStretch(seq: number, t: number): void {
    const holdCv = cvOf(this.stretchHolds);
    const dispersion = iqrOverMedian(this.stretchIntervals);
    if (
      this.stretches.length < MAX_STRETCHES &&
      (holdCv < this.th.machineMaxHoldCv || (this.stretchIntervals.length >= 10 && dispersion < this.th.machineMaxIntervalDispersion))
    ) {
      this.stretches.push({ seqFrom: this.stretchSeq, seqTo: seq, tFrom: this.stretchT, tTo: t, excerpt: '' });
    }
    this.stretchHolds = [];
    this.stretchIntervals = [];
    this.stretchSeq = -1;
  }

  /** Stretches of keys that were regular on their own: where to look in the replay. */
  regularStretches(): Moment[] {
    return [...this.stretches];
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

function cvOf(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (mean <= 0) return 0;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) / mean;
}

function iqrOverMedian(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const m = q(0.5);
  return m > 0 ? (q(0.75) - q(0.25)) / m : 0;
}
