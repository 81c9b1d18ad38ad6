export { analyzeSession, createIncrementalAnalyzer, textOrigins, type IncrementalAnalyzer } from './analyze';
export { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds';
export { notEnoughData, scoreOf, SEVERITY_WEIGHT } from './score';
export { overlapThresholdAt } from './detectors';
export {
  ANALYSIS_FORMAT,
  PAUSE_LOCATIONS,
  type AnalysisOptions,
  type AnalysisResult,
  type DetectorName,
  type Departure,
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
} from './types';
export { clock } from './host';
export { momentumOf, COPY_DETECTORS, MOMENTUM_WINDOW, MOMENTUM_MIN_ATTEMPTS, type AttemptOutcome, type DropoutLabel, type Momentum } from './momentum';
