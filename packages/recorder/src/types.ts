import type { Batch, Bundle, EventDataOf, EventType, SessionMeta, VeritasEvent } from '@veritas/schema';

export type SessionKind = Bundle['session']['kind'];
export type { Batch, Bundle, EventDataOf, SessionMeta, VeritasEvent };

/** Event types the host page adds with `recorder.emit`; the rest are captured by the recorder itself. */
export type HostEventType = Extract<EventType, 'metrics' | 'violation' | 'sensor' | 'mark' | 'custom'>;

export interface RecorderOptions {
  /** The Veritas server's origin ('' for the page's own origin). Leave out, with no `session`, for client-only mode. */
  server?: string;
  /** A session the host's backend created: its id and write token. Without it the recorder creates one at `server`. */
  session?: { id: string; writeToken: string };
  kind?: SessionKind;
  meta?: SessionMeta;
  /** 'http' (batches every `batchMs` or `batchEvents`) or 'websocket' (one connection, for streams). Default 'http'. */
  transport?: 'http' | 'websocket';
  /** Consent the host page already obtained: recording starts at once. Otherwise call `start()` after the writer agrees. */
  consent?: { policy: string };
  /** Sessions are kept in the browser under this key, so a reload continues the same session. Default 'default'. */
  storageKey?: string;
  /** Continue an unfinished session kept under `storageKey` (default true). */
  resume?: boolean;
  /** 'indexeddb' (default; survives a reload) or 'memory'. */
  storage?: 'indexeddb' | 'memory';
  /** Seal and send a batch this often (ms). Default 2000. */
  batchMs?: number;
  /** …or as soon as this many events wait (at most 1000). Default 200. */
  batchEvents?: number;
  /** A full-text snapshot this often while the text changes (ms). Default 30000. */
  snapshotMs?: number;
  /** On resume, put the recorded text back into the editor when it differs (default true). */
  restoreText?: boolean;
  /** Keep every batch in the browser after the server acknowledged it, so `exportBundle()` works in connected mode too. */
  keepBatches?: boolean;
  onStatus?: (status: RecorderStatus) => void;
  onError?: (error: RecorderError) => void;
}

export type RecorderState = 'idle' | 'starting' | 'recording' | 'offline' | 'error' | 'ending' | 'ended' | 'stopped';

export interface RecorderStatus {
  state: RecorderState;
  mode: 'connected' | 'client-only';
  sessionId: string | null;
  /** Events recorded but not yet acknowledged by the server (client-only: not yet stored in the browser). */
  queued: number;
  /** True when nothing is queued. */
  saved: boolean;
  /** The highest contiguous seq the server holds (-1: none). */
  ack: number;
  /** Where the session is kept in the browser: 'memory' when asked for, or when IndexedDB is missing or refused (a reload loses it). */
  storage: 'indexeddb' | 'memory';
}

export interface RecorderError {
  /** Stable code: 'network', 'server', 'conflict', 'rejected', 'storage', 'capture', 'emit', 'export'. */
  code: string;
  message: string;
  status?: number;
  problem?: unknown;
}

export interface Recorder {
  /** Resolves once stored state is read: `resumed` tells whether an unfinished session continues (consent was given before). */
  readonly ready: Promise<{ resumed: boolean }>;
  readonly status: RecorderStatus;
  readonly sessionId: string | null;
  /** Records consent as the session's first event and starts capturing. Nothing is recorded before it. */
  start(consent: { policy: string }): Promise<void>;
  /** Adds a host event: metrics, violation, sensor, mark or custom. Never throws. */
  emit<K extends HostEventType>(type: K, data: EventDataOf<K>): void;
  /** Declares the input method the host knows of (e.g. its own dictation button): text changes are recorded with that cause until reset to null. */
  setInputMethod(method: 'dictation' | null): void;
  /** Seals what is pending and waits until all of it is acknowledged (client-only: stored). */
  flush(): Promise<void>;
  /** Stops capturing, sends the rest, and ends the session on the server. */
  end(): Promise<void>;
  /** The v1 bundle of this session (client-only mode, or connected with `keepBatches`). */
  exportBundle(): Promise<Bundle>;
  /** Stops capturing and sending without ending the session; what is stored stays for a later resume. */
  detach(): void;
  /** Forgets the stored session. */
  discard(): Promise<void>;
}
