export { attach, record } from './recorder';
export { uploadBundle } from './transport';
export { EDITOR_CAPABILITIES, PAGE_CAPABILITIES, recorderCapabilities } from './capabilities';
export type {
  Recorder,
  RecorderOptions,
  RecorderStatus,
  RecorderState,
  RecorderError,
  HostEventType,
  SessionKind,
  Bundle,
  Batch,
  SessionMeta,
  VeritasEvent,
} from './types';
