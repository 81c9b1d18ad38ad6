import { createHash } from 'node:crypto';

/**
 * The job queue port. Two drivers implement it and pass one contract suite
 * (job-queue.contract.ts): the embedded durable runner (a `jobs` table in our own database, for
 * PGlite and single-node PostgreSQL) and pg-boss (PostgreSQL deployments with worker processes).
 *
 * Semantics both drivers keep:
 * - at least once: a job runs until a run completes; handlers must be idempotent;
 * - a failed run is retried after an exponential backoff with jitter, up to `retryLimit` retries;
 *   then the job is parked in state 'failed' with its last error, visible through `get`;
 * - a run whose process dies is picked up again once its visibility timeout has passed;
 * - at most `concurrency` runs of one queue at a time in one process.
 */
export type JobState = 'queued' | 'retry' | 'running' | 'done' | 'failed';

export interface JobInfo {
  id: string;
  name: string;
  state: JobState;
  data: unknown;
  /** Runs started so far (1 while the first run is in flight). */
  attempts: number;
  /** The error of the last failed run, if any. */
  lastError: string | null;
}

export interface JobCounts {
  queued: number;
  running: number;
  failed: number;
}

export interface JobContext {
  id: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
}

export type JobHandler<T> = (data: T, ctx: JobContext) => Promise<void>;

/** How one queue retries and how long a run may be silent before another worker takes it over. */
export interface QueuePolicy {
  /** Retries after the first run (default 3): a job runs at most retryLimit + 1 times. */
  retryLimit: number;
  /** Delay before the first retry; retry n waits between delay·2^(n−1) and delay·2^n (default 2 s). */
  retryDelayMs: number;
  /** A run not finished (nor kept alive) within this time is presumed dead and run again (default 5 min). */
  visibilityTimeoutMs: number;
}

export const DEFAULT_QUEUE_POLICY: QueuePolicy = { retryLimit: 3, retryDelayMs: 2000, visibilityTimeoutMs: 5 * 60_000 };

export interface EnqueueOptions {
  /**
   * Idempotency key: at most one job per (queue, key) is ever stored while the driver keeps it,
   * so enqueueing twice is harmless. Its id is `jobIdFor(name, key)`.
   */
  key?: string;
}

export interface JobQueue {
  readonly driver: 'embedded' | 'pg-boss';
  /** Prepares the queue (pg-boss installs its schema and creates the queues). Precedes everything else. */
  start(): Promise<void>;
  /** Stores a job durably. `created` is false when a job with this key already exists. */
  enqueue(name: string, data: unknown, options?: EnqueueOptions): Promise<{ id: string; created: boolean }>;
  /** Starts running jobs of a queue in this process, `concurrency` at a time (default 1). */
  work<T>(name: string, handler: JobHandler<T>, options?: { concurrency?: number }): Promise<void>;
  /** A job's state, attempts and last error; null when unknown (or deleted by retention). */
  get(name: string, id: string): Promise<JobInfo | null>;
  /** How many jobs of a queue wait (queued or awaiting a retry), run now, or were parked as failed: for the metrics. */
  counts(name: string): Promise<JobCounts>;
  /** Stops taking jobs and waits (up to timeoutMs, default 10 s) for runs in flight; what is left is taken over after its visibility timeout. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/** The id of the job with this idempotency key: a UUID derived from (name, key), the same in every driver. */
export function jobIdFor(name: string, key: string): string {
  const h = createHash('sha256').update(`${name}\u0000${key}`).digest('hex');
  // Shaped as a version-8 (custom) UUID so pg-boss's uuid column takes it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Exponential backoff with jitter, as pg-boss computes it: retry n (1-based) waits a uniformly
 * drawn time between delay·2^(n−1) and delay·2^n, capped at 2^16 doublings.
 */
export function backoffMs(retryDelayMs: number, retry: number, random: () => number = Math.random): number {
  const base = retryDelayMs * 2 ** Math.min(16, Math.max(0, retry - 1));
  return Math.round(base + base * random());
}

/** The message of whatever a handler threw. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}
