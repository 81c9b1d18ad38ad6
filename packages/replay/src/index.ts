export { ReplayIndex, ReplayCursor, buildReplayIndex, buildReplayIndexFromBundle, bundleEvents } from './replay-index';
export type { BuildOptions } from './build';
export { DEFAULT_KEYFRAME_EVERY, type KeyframeOptions } from './keyframes';
export {
  ORIGINS,
  ORIGIN_CODE,
  ORIGIN_LABEL,
  EMPTY_RUNS,
  originName,
  runsToSpans,
  runsLength,
  expandRuns,
  originTotals,
  type Origin,
  type OriginRuns,
  type OriginSpan,
} from './origin';
export {
  REPLAY_FORMAT,
  OP_CAUSES,
  type OpCause,
  type OpColumns,
  type CaretColumns,
  type AwaySpan,
  type PasteMark,
  type MarkPoint,
  type ViolationPoint,
  type Divergence,
  type Series,
  type ReplaySession,
  type ReplayData,
  type Keyframe,
  type Caret,
  type ReplayState,
} from './types';
export {
  buildTimeline,
  density,
  pauses,
  idleStretches,
  placeFlags,
  timeAway,
  skipIdle,
  type AnalysisFlag,
  type PlacedFlag,
  type Density,
  type Pause,
  type Stretch,
  type Timeline,
  type TimelineOptions,
} from './timeline';
export { extractSeries, seriesValueAt } from './series';
export {
  encodeReplayChunks,
  encodeReplay,
  decodeReplay,
  createReplayDecoder,
  ReplayDecodeError,
  REPLAY_MEDIA_TYPE,
  type EncodeOptions,
  type ReplayDecoder,
} from './compact';
export { encodeReplayStream, LOOKAHEAD_EVENT_TYPES, type ReplayEventSource, type ReplayStreamOptions } from './replay-stream';
export { replayNaive } from './naive';
export { KEY_SLACK_MS } from './classify';
