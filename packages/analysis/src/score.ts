import type { DetectorName, Flag, RiskLabel, Score, ScoreReason, Severity } from './types';

/** How much one detector at a severity takes off the score. One detector counts once, at its worst flag, so twenty small pastes do not outweigh one transcription. */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = Object.freeze({ low: 0.05, medium: 0.2, high: 0.5 });
const RANK: Readonly<Record<Severity, number>> = Object.freeze({ low: 1, medium: 2, high: 3 });

/**
 * Integrity = the product over detectors of (1 − weight of its worst flag); risk = the worst
 * severity among the flags. Every point taken off is named in `reasons`.
 * Only flags passed in count: host signals never produce flags, so they never reach the score.
 */
export function scoreOf(flags: readonly Flag[]): Score {
  return scored(flags);
}

/**
 * Too little to judge: no integrity and no risk label at all, only why. Flags raised on the little
 * there was are still listed for a person to look at; they make no score.
 */
export function notEnoughData(why: string, flags: readonly Flag[]): Score {
  return {
    verdict: 'not-enough-data',
    integrity: null,
    risk: null,
    reasons: [],
    summary: `Not enough data: ${why}${flags.length ? ` ${flags.length} flag${flags.length === 1 ? ' is' : 's are'} listed for a person to look at, but they make no score.` : ''}`,
  };
}

function scored(flags: readonly Flag[]): Score & { verdict: 'scored' } {
  const worst = new Map<DetectorName, { severity: Severity; flags: number; message: string }>();
  for (const f of flags) {
    const w = worst.get(f.detector);
    if (!w) worst.set(f.detector, { severity: f.severity, flags: 1, message: f.message });
    else {
      w.flags++;
      if (RANK[f.severity] > RANK[w.severity]) {
        w.severity = f.severity;
        w.message = f.message;
      }
    }
  }
  let integrity = 1;
  let risk: RiskLabel = 'low';
  const reasons: ScoreReason[] = [];
  for (const [detector, w] of worst) {
    const weight = SEVERITY_WEIGHT[w.severity];
    integrity *= 1 - weight;
    if (RANK[w.severity] > RANK[risk]) risk = w.severity;
    reasons.push({
      detector,
      severity: w.severity,
      flags: w.flags,
      weight,
      message: w.flags > 1 ? `${w.message} (and ${w.flags - 1} more flag${w.flags > 2 ? 's' : ''} of this kind)` : w.message,
    });
  }
  reasons.sort((a, b) => RANK[b.severity] - RANK[a.severity] || b.weight - a.weight || (a.detector < b.detector ? -1 : 1));
  if (reasons.length === 0) {
    reasons.push({
      detector: 'none',
      severity: 'low',
      flags: 0,
      weight: 0,
      message: 'No detector raised a flag under the thresholds in force: nothing in the recorded process departs from ordinary unaided work.',
    });
  }
  integrity = Math.round(integrity * 1000) / 1000;
  const named = reasons.filter((r) => r.detector !== 'none');
  const summary =
    named.length === 0
      ? `Integrity ${integrity.toFixed(2)}, ${risk} risk: no flags.`
      : `Integrity ${integrity.toFixed(2)}, ${risk} risk, because of ${named.map((r) => `${r.detector} (${r.severity})`).join(', ')}. Flags are evidence for a person to weigh, not a verdict.`;
  return { verdict: 'scored', integrity, risk, reasons, summary };
}
