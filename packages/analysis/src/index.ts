export { analyzeSession, createIncrementalAnalyzer, type IncrementalAnalyzer } from './analyze';
export { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds';
export { scoreOf, SEVERITY_WEIGHT } from './score';
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
