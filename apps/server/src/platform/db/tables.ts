import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table interfaces: the Kysely view of the schema the migrations create. */

export interface SessionsTable {
  id: string;
  tenant_id: string | null;
  owner_id: string | null;
  kind: string;
  status: 'active' | 'ended';
  /** 'live' (recorded through ingest), 'upload' (a bundle), 'demo' (seeded demo data). */
  source: string;
  /** SHA-256 of the write token: authenticates it and keys the batch MAC. Null once nothing may write. */
  write_key: string | null;
  meta: ColumnType<Record<string, unknown>, string, string>;
  /** `{ thresholds?, acceptHostSignals? }` for this session's analysis, set at creation. */
  analysis_settings: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The next seq expected: everything below it is stored, contiguous. */
  next_seq: Generated<number>;
  /** Hash of the last stored batch: the prevHash the next batch must carry. */
  head_hash: string;
  last_t: Generated<number>;
}

export interface BatchesTable {
  session_id: string;
  first_seq: number;
  count: number;
  prev_hash: string;
  hash: string;
  mac: string | null;
  received_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface EventsTable {
  session_id: string;
  seq: number;
  t: number;
  type: string;
  data: ColumnType<unknown, string, never>;
}

/** Batches that arrived ahead of a gap, kept durably until the gap fills: a batch with its events. */
export interface HeldBatchesTable extends BatchesTable {
  events: ColumnType<unknown[], string, never>;
}

/** The embedded job runner's queue (jobs/embedded-job-queue.ts). */
export interface JobsTable {
  id: string;
  name: string;
  /** Idempotency key: (name, key) is unique. */
  key: string | null;
  data: ColumnType<unknown, string, never>;
  /** queued (first run or a retry waiting for run_at), running, done, failed (parked). */
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: Generated<number>;
  max_attempts: number;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** While running: the run is presumed dead after this (its visibility timeout). */
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Names the current run, so a run taken over cannot settle the job. */
  lock_token: string | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** The whole analysis of an ended session (an AnalysisResult of @veritas/analysis). */
export interface AnalysesTable {
  session_id: string;
  tenant_id: string | null;
  result: ColumnType<unknown, string, string>;
  /** The analysis format (ANALYSIS_FORMAT) that produced the result. */
  version: string;
  analyzed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Live alerts raised by the incremental analyser as events are ingested. */
export interface AlertsTable {
  id: string;
  session_id: string;
  tenant_id: string | null;
  detector: string;
  severity: string;
  message: string;
  /** evidence.seqFrom, kept as a column for the (session, detector, seqFrom) uniqueness. */
  seq_from: number;
  evidence: ColumnType<unknown, string, never>;
  values: ColumnType<unknown, string, never>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface DB {
  sessions: SessionsTable;
  batches: BatchesTable;
  events: EventsTable;
  held_batches: HeldBatchesTable;
  jobs: JobsTable;
  analyses: AnalysesTable;
  alerts: AlertsTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type SessionUpdate = Updateable<SessionsTable>;
