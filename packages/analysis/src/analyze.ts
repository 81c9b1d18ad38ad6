import type { VeritasEvent } from '@veritas/schema';
import { Fold } from './fold';
import { resultOf } from './result';
import { resolveThresholds } from './thresholds';
import type { AnalysisOptions, AnalysisResult, Flag } from './types';

/** The whole analysis of one session's events (in seq order): metrics, flags, notes and score. */
export function analyzeSession(events: readonly VeritasEvent[], options: AnalysisOptions = {}): AnalysisResult {
  const fold = new Fold(resolveThresholds(options.thresholds), options);
  fold.push(events);
  return resultOf(fold, options);
}

/**
 * The final text and where each of its characters came from, as the analysis's document model
 * (the shared origin classifier of @veritas/schema) built it: what its paste figures count.
 */
export function textOrigins(events: readonly VeritasEvent[], options: AnalysisOptions = {}): { text: string; origins: Uint8Array } {
  const fold = new Fold(resolveThresholds(options.thresholds), options);
  fold.push(events);
  return { text: fold.text.toString(), origins: fold.text.originsOf(0, fold.text.length) };
}

export interface IncrementalAnalyzer {
  /** Feeds the next events (in seq order, continuing the last push); returns the live alerts they raised. */
  push(events: readonly VeritasEvent[]): Flag[];
  /** The analysis of everything pushed so far: equal to analyzeSession over the same events. */
  result(): AnalysisResult;
  /** Events pushed so far and the last seq seen (-1 before any). */
  readonly count: number;
  readonly lastSeq: number;
}

/**
 * The analysis as the stream arrives. It refuses an event whose seq does not continue the last
 * one (a gap or a replay), so a caller that feeds it from ingest learns at once that it must
 * wait for the gap to fill; results never depend on how the stream was cut.
 */
export function createIncrementalAnalyzer(options: AnalysisOptions = {}): IncrementalAnalyzer {
  const fold = new Fold(resolveThresholds(options.thresholds), options);
  return {
    push(events) {
      const before = fold.raised.alerts.length;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (fold.lastSeq >= 0 && e.seq !== fold.lastSeq + 1) {
          throw new RangeError(`expected seq ${fold.lastSeq + 1}, got ${e.seq}`);
        }
        fold.step(e);
      }
      return fold.raised.alerts.slice(before);
    },
    result: () => resultOf(fold, options),
    get count() {
      return fold.events + fold.droppedHost;
    },
    get lastSeq() {
      return fold.lastSeq;
    },
  };
}
