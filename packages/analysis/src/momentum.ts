/**
 * The learning momentum index and the dropout label of a student, by the documented rules of the
 * README ("Momentum and dropout label"), over their finished attempts. Pure: the caller passes the
 * attempts, nothing is read or timed here. Only writing-process signs enter it: no webcam, face or
 * emotion signal ever does (the proctoring detectors are not among COPY_DETECTORS).
 */

/** The writing detectors whose high flag counts as a sign of copying. */
export const COPY_DETECTORS = ['external-paste', 'paste-share', 'transcription', 'keyless-text', 'untrusted-input', 'machine-regular'] as const;

/** How many of the latest finished attempts the rules look at, and how many they need. */
export const MOMENTUM_WINDOW = 5;
export const MOMENTUM_MIN_ATTEMPTS = 2;

export interface AttemptOutcome {
  /** How the attempt ended: completed (submitted or graded) or not (abandoned, timed out). */
  completed: boolean;
  /** The score as a percentage of the exam's max score, when the viewer may see it; else null. */
  scorePercent: number | null;
  /** The exam's pass mark as a percentage of its max score. */
  passPercent: number;
  /** The analysis had too little writing to judge (verdict not-enough-data). */
  littleWriting: boolean;
  /** A high flag of one of COPY_DETECTORS was raised (and not dismissed by a reviewer). */
  copySign: boolean;
}

export type DropoutLabel = 'safe' | 'incapable' | 'copy' | 'no_interest';

export interface Momentum {
  /** 0–100; null with fewer than MOMENTUM_MIN_ATTEMPTS finished attempts. */
  index: number | null;
  label: DropoutLabel | null;
  /** The rule that decided the label, in words, with its numbers. */
  reason: string;
  recommendations: string[];
  /** How many attempts the rules looked at. */
  attempts: number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** Least-squares slope of ys over 0, 1, 2, … (points per attempt); 0 with fewer than two. */
export function slopeOf(ys: readonly number[]): number {
  if (ys.length < 2) return 0;
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

const RECOMMEND: Record<DropoutLabel, string[]> = {
  safe: ['Keep going: attempts are completed and results hold or improve.'],
  incapable: [
    'Results stay under the pass mark without improving: talk with the student about what is hard, and offer practice or support before the next exam.',
  ],
  copy: ['Several recent attempts carry strong signs of copied text: review those flags with the student, and explain what is expected of their own writing.'],
  no_interest: ['Recent attempts are often left unfinished or nearly empty: check in with the student about their motivation and workload.'],
};

/**
 * `attempts`: the student's finished attempts, oldest first (the last MOMENTUM_WINDOW are used).
 * Index = 40 × completion rate + 30 × score trend (slope of the score percentages per attempt,
 * −20…+20 points mapped to 0…1; 0.5 with fewer than two scores) + 30 × mean score percentage
 * (0.5 with none). Label, first rule that holds: copy (copy signs in ≥ 2 attempts), no_interest
 * (≥ half not completed or with too little writing), incapable (scores in ≥ 2 attempts, the mean
 * under the mean pass mark, the trend not rising), else safe.
 */
export function momentumOf(attempts: readonly AttemptOutcome[]): Momentum {
  const recent = attempts.slice(-MOMENTUM_WINDOW);
  const n = recent.length;
  if (n < MOMENTUM_MIN_ATTEMPTS)
    return { index: null, label: null, reason: `${n} finished attempt(s): the rules need at least ${MOMENTUM_MIN_ATTEMPTS}`, recommendations: [], attempts: n };
  const completed = recent.filter((a) => a.completed).length;
  const scores = recent.flatMap((a) => (a.scorePercent === null ? [] : [a.scorePercent]));
  const slope = slopeOf(scores);
  const trend = scores.length < 2 ? 0.5 : (clamp(slope, -20, 20) + 20) / 40;
  const level = scores.length === 0 ? 0.5 : clamp(scores.reduce((a, b) => a + b, 0) / scores.length / 100, 0, 1);
  const index = Math.round(100 * (0.4 * (completed / n) + 0.3 * trend + 0.3 * level));

  const copies = recent.filter((a) => a.copySign).length;
  const disengaged = recent.filter((a) => !a.completed || a.littleWriting).length;
  const scored = recent.filter((a) => a.scorePercent !== null);
  const mean = scores.length === 0 ? 0 : scores.reduce((a, b) => a + b, 0) / scores.length;
  const passMean = scored.length === 0 ? 0 : scored.reduce((a, b) => a + b.passPercent, 0) / scored.length;
  let label: DropoutLabel;
  let reason: string;
  if (copies >= 2) {
    label = 'copy';
    reason = `${copies} of the last ${n} attempts carry a high flag of a writing detector that signals copying`;
  } else if (disengaged * 2 >= n) {
    label = 'no_interest';
    reason = `${disengaged} of the last ${n} attempts were abandoned, timed out or had too little writing to judge`;
  } else if (scored.length >= 2 && mean < passMean && slope <= 0) {
    label = 'incapable';
    reason = `the mean of the last ${scored.length} results is ${mean.toFixed(0)}%, under the pass mark (${passMean.toFixed(0)}%), and not rising`;
  } else {
    label = 'safe';
    reason = `none of the warning rules holds over the last ${n} attempts`;
  }
  return { index, label, reason, recommendations: RECOMMEND[label], attempts: n };
}
