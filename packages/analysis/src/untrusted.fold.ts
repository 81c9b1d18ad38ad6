import type { RaisedFlags } from './raised-flags';

/**
 * Input events (keys and text ops) marked `trusted: false`: made by a script, not the keyboard.
 * The flag itself is session-level (detectors.ts); here the count reaching the threshold is alerted live.
 */
export class UntrustedFold {
  private readonly threshold: number;
  private readonly raised: RaisedFlags;
  count = 0;
  /** Characters inserted by untrusted text ops. */
  chars = 0;
  firstSeq = -1;
  firstT = 0;
  lastSeq = -1;
  lastT = 0;

  constructor(threshold: number, raised: RaisedFlags) {
    this.threshold = threshold;
    this.raised = raised;
  }

  event(seq: number, t: number): void {
    if (this.count === 0) {
      this.firstSeq = seq;
      this.firstT = t;
    }
    this.count++;
    this.lastSeq = seq;
    this.lastT = t;
    if (this.count === this.threshold) {
      this.raised.warn({
        detector: 'untrusted-input',
        severity: 'high',
        evidence: { seqFrom: this.firstSeq, seqTo: seq, tFrom: this.firstT, tTo: t, excerpt: '' },
        message: `${this.count} input events so far were made by a script, not by the keyboard.`,
        values: { untrustedEvents: this.count },
      });
    }
  }
}
