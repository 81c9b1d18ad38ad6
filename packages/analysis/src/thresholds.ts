import type { Thresholds } from './types';

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  pauseMs: 2000,
  pauseReportMs: [200, 500, 1000, 2000, 5000, 10_000, 30_000],
  speedWindowMs: 60_000,
  externalPasteLowChars: 40,
  externalPasteChars: 150,
  externalPasteHighChars: 1000,
  externalPasteSentences: 2,
  pasteShareOfFinal: 0.5,
  pasteShareOfAdded: 0.4,
  transcriptionMinChars: 400,
  transcriptionMinSentences: 5,
  transcriptionMaxGradient: 2.5,
  transcriptionMaxSentencePauseShare: 0.2,
  transcriptionMaxRevisionRatio: 0.05,
  transcriptionMaxPausesPer100Chars: 0.8,
  minJudgedChars: 100,
  machineMinKeys: 150,
  machineMaxHoldCv: 0.06,
  machineMaxIntervalDispersion: 0.2,
  machineMaxOverlap: 0.02,
  machineOverlapReferenceMs: 200,
  machineOverlapOffMs: 300,
  machineMinMedianIntervalMs: 35,
  untrustedEvents: 10,
  keylessChars: 40,
  returnAwayMs: 10_000,
  returnWindowMs: 20_000,
  returnBurstChars: 150,
  prolongedAbsenceMs: 60_000,
  prolongedAbsenceHighMs: 300_000,
  violationMinConfidence: 0.5,
  sensorGapMs: 100,
  hostSeriesMax: 500,
});

/** Defaults overridden by whatever the exam sets; unknown or non-finite values are refused loudly. */
export function resolveThresholds(over: Partial<Thresholds> | undefined): Thresholds {
  const out: Thresholds = { ...DEFAULT_THRESHOLDS, pauseReportMs: [...DEFAULT_THRESHOLDS.pauseReportMs] };
  if (!over) return out;
  for (const [k, v] of Object.entries(over)) {
    if (!(k in DEFAULT_THRESHOLDS)) throw new RangeError(`unknown threshold "${k}"`);
    if (v === undefined) continue;
    if (k === 'pauseReportMs') {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !(x > 0))) throw new RangeError('pauseReportMs must be positive numbers');
      out.pauseReportMs = [...(v as number[])].sort((a, b) => a - b);
    } else {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`threshold "${k}" must be a finite number ≥ 0`);
      (out as unknown as Record<string, number>)[k] = v;
    }
  }
  return out;
}
