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
export { sha256Hex, genesisHash, batchHash, macKeyFromToken, batchMac, hexEqual } from './hash';
export { sealBatch, checkBatchSelf, verifyChain, type ChainBatch, type ChainProblem } from './chain';
export { checkEvents, parseBundle, type EventIssue } from './validate';
