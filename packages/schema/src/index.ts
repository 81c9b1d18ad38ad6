export { SESSION_FORMAT, BUNDLE_FORMAT, INGEST_PROTOCOL } from './version';
export { LIMITS } from './limits';
export {
  EventData,
  Event,
  EventEnvelope,
  EVENT_TYPES,
  Seq,
  Ms,
  TextCause,
  KeyClass,
  type EventType,
  type EventOf,
  type EventDataOf,
  type VeritasEvent,
} from './events';
export { BatchBody, Hex64, SessionId, type Batch } from './batch';
export { Bundle, BundleBatch, SessionKind, SessionMeta } from './bundle';
export { canonicalJson } from './canonical';
export { TEXT_PATTERN, TEXT_RULE, describePattern, Text, TextRecord, Timestamp, isStorableText, jsonValueIssue } from './text';
export { sha256Hex, genesisHash, batchHash, macKeyFromToken, batchMac, hexEqual, serverSealMac } from './hash';
export { IngestBatchBody, Sealing } from './sealing';
export { sealBatch, checkBatchSelf, verifyChain, type ChainBatch, type ChainProblem } from './chain';
export { checkEvents, parseBundle, type EventIssue } from './validate';
export {
  ANALYSIS_FORMAT,
  AnalysisResult,
  AnalysisSettings,
  DETECTOR_NAMES,
  Departure,
  DetectorName,
  Distribution,
  Evidence,
  Flag,
  HostSignal,
  Metrics,
  Moment,
  NOTE_TOPICS,
  NotChecked,
  Note,
  PAUSE_LOCATIONS,
  PauseLocationStats,
  ProctoringMetrics,
  RiskLabel,
  Score,
  ScoreReason,
  SensorKindMetrics,
  Severity,
  SpeedWindow,
  Thresholds,
  WritingMetrics,
  type PauseLocation,
} from './analysis-result';
export { CAPTURE_SIGNALS, Capabilities, FULL_CAPTURE, TEXT_ONLY, capabilitiesOf, type CaptureSignal } from './capabilities';
export { ORIGINS, ORIGIN_CODE, ORIGIN_LABEL, originName, type Origin } from './origin/origins';
export { OriginText, clampOp } from './origin/origin-text';
export { OriginClassifier, PASTE_PAIR_MS, PASTE_PAIR_SEQS, type ClassifiedOp } from './origin/classifier';
export { isFlag } from './analysis-check';
