/**
 * The analysis result's types. They are defined once, as TypeBox schemas in @veritas/schema (which
 * the server answers with and the viewer checks against); here they are only re-exported.
 */
import type { Capabilities, Thresholds } from '@veritas/schema';

export {
  ANALYSIS_FORMAT,
  PAUSE_LOCATIONS,
  type AnalysisResult,
  type Departure,
  type DetectorName,
  type Distribution,
  type Evidence,
  type Flag,
  type HostSignal,
  type Metrics,
  type Moment,
  type Note,
  type PauseLocation,
  type PauseLocationStats,
  type ProctoringMetrics,
  type RiskLabel,
  type Score,
  type ScoreReason,
  type SensorKindMetrics,
  type Severity,
  type SpeedWindow,
  type Thresholds,
  type WritingMetrics,
} from '@veritas/schema';

export interface AnalysisOptions {
  thresholds?: Partial<Thresholds>;
  /** false: metrics events from the host page are dropped before analysis (default true). */
  acceptHostSignals?: boolean;
  /**
   * The writer uses assistive technology (an accommodation): text without key presses and
   * machine-like regularity are reported as an input method, not flagged.
   */
  assistiveTechnology?: boolean;
  /** The text the editor started with (bundle meta.initialText). */
  initialText?: string;
  /**
   * What the session's source captured (bundle or session meta.capabilities). Undeclared signals
   * count as captured (see FULL_CAPTURE); a signal declared absent is never evidence.
   */
  capabilities?: Partial<Capabilities>;
}
