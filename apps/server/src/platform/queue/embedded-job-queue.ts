import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database';
import { claimJobs, completeJob, countJobs, extendJobLock, failJob, findJob, insertJob, parkAbandonedJobs, type JobRow } from './jobs.repository';
import {
  backoffMs,
  DEFAULT_QUEUE_POLICY,
  errorMessage,
  jobIdFor,
  type JobCounts,
  type JobHandler,
  type JobInfo,
  type JobQueue,
  type QueuePolicy,
} from './job-queue';

export interface JobLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EmbeddedJobQueueOptions {
  /** Per-queue retry and visibility policies; a queue not named here gets DEFAULT_QUEUE_POLICY. */
  queues?: Record<string, Partial<QueuePolicy>>;
  /** How often an idle worker looks for due jobs (default 500 ms). Enqueueing in this process wakes it at once. */
  pollIntervalMs?: number;
  log?: JobLogger;
}

interface Worker {
  name: string;
  policy: QueuePolicy;
  handler: JobHandler<unknown>;
  concurrency: number;
  running: Map<string, Promise<void>>;
  wake: () => void;
  loop: Promise<void>;
}

const quiet: JobLogger = { error: () => {}, warn: () => {} };

/**
 * The embedded durable runner: jobs live in the `jobs` table of our own database (PGlite or
 * PostgreSQL), so a job enqueued is as durable as the session it is about. Workers poll with
 * `for update skip locked`; a run keeps its lock alive while it works, and a run whose process
 * died is taken over once its visibility timeout passes.
 */
export class EmbeddedJobQueue implements JobQueue {
  readonly driver = 'embedded' as const;
  private readonly workers = new Map<string, Worker>();
  private readonly pollMs: number;
  private readonly log: JobLogger;
  private stopping = false;
  private crashed = false;

  constructor(
    private readonly database: Database,
    private readonly options: EmbeddedJobQueueOptions = {},
  ) {
    this.pollMs = options.pollIntervalMs ?? 500;
    this.log = options.log ?? quiet;
  }

  private policy(name: string): QueuePolicy {
    return { ...DEFAULT_QUEUE_POLICY, ...this.options.queues?.[name] };
  }

  async start(): Promise<void> {
    // The table comes with the migrations; nothing to install.
  }

  async enqueue(name: string, data: unknown, options: { key?: string } = {}) {
    const id = options.key !== undefined ? jobIdFor(name, options.key) : randomUUID();
    const created = await insertJob(this.database.db, { id, name, key: options.key ?? null, data, maxAttempts: this.policy(name).retryLimit + 1 });
    if (created) this.workers.get(name)?.wake();
    return { id, created };
  }

  async get(name: string, id: string): Promise<JobInfo | null> {
    const row = await findJob(this.database.db, name, id);
    return row ? toInfo(row) : null;
  }

  async counts(name: string): Promise<JobCounts> {
    return countJobs(this.database.db, name);
  }

  async work<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): Promise<void> {
    if (this.workers.has(name)) throw new Error(`queue ${name} already has a worker in this process`);
    if (this.stopping) throw new Error('the job queue is stopped');
    const w: Worker = {
      name,
      policy: this.policy(name),
      handler: handler as JobHandler<unknown>,
      concurrency: Math.max(1, options.concurrency ?? 1),
      running: new Map(),
      wake: () => {},
      loop: Promise.resolve(),
    };
    this.workers.set(name, w);
    w.loop = this.poll(w);
  }

  private async poll(w: Worker): Promise<void> {
    while (!this.stopping) {
      let claimed: JobRow[] = [];
      const free = w.concurrency - w.running.size;
      if (free > 0) {
        try {
          await parkAbandonedJobs(this.database.db, w.name);
          claimed = await claimJobs(this.database.db, w.name, free, randomUUID(), w.policy.visibilityTimeoutMs);
        } catch (err) {
          if (!this.stopping) this.log.warn({ err, queue: w.name }, 'job poll failed; retrying');
        }
      }
      for (const job of claimed) {
        const run = this.run(w, job).finally(() => {
          w.running.delete(job.id);
          w.wake();
        });
        w.running.set(job.id, run);
      }
      // Full, or nothing due: wait for a slot, an enqueue or the poll interval.
      if (claimed.length === 0 || w.running.size >= w.concurrency) await this.idle(w);
    }
  }

  private idle(w: Worker): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.pollMs);
      function done() {
        clearTimeout(timer);
        w.wake = () => {};
        resolve();
      }
      w.wake = done;
    });
  }

  private async run(w: Worker, job: JobRow): Promise<void> {
    const token = job.lock_token!;
    const db = this.database.db;
    // Keep the lock alive while the handler works, so a long run is not taken for a dead one.
    const beat = setInterval(
      () => {
        if (this.crashed) return;
        extendJobLock(db, job.id, token, w.policy.visibilityTimeoutMs).catch((err) => this.log.warn({ err, job: job.id }, 'could not extend a job lock'));
      },
      Math.max(10, Math.floor(w.policy.visibilityTimeoutMs / 3)),
    );
    let error: unknown = null;
    try {
      await w.handler(job.data, { id: job.id, attempt: job.attempts });
    } catch (err) {
      error = err ?? new Error('job failed');
    } finally {
      clearInterval(beat);
    }
    if (this.crashed) return; // a dead process settles nothing
    try {
      if (error === null) {
        await completeJob(db, job.id, token);
      } else {
        const outcome = await failJob(db, job.id, token, errorMessage(error), backoffMs(w.policy.retryDelayMs, job.attempts));
        if (outcome === 'failed') this.log.error({ err: error, queue: w.name, job: job.id, attempts: job.attempts }, 'job failed for good and is parked');
        else this.log.warn({ err: error, queue: w.name, job: job.id, attempt: job.attempts }, 'job failed; it will be retried');
      }
    } catch (err) {
      // The job stays 'running' and is taken over after its visibility timeout: nothing is lost.
      this.log.error({ err, job: job.id }, 'could not record the outcome of a job');
    }
  }

  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const w of this.workers.values()) w.wake();
    await Promise.all([...this.workers.values()].map((w) => w.loop));
    const inFlight = [...this.workers.values()].flatMap((w) => [...w.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(inFlight), new Promise<void>((r) => (timer = setTimeout(r, options.timeoutMs ?? 10_000)))]);
    clearTimeout(timer);
  }

  /**
   * Stops as if the process had died: no more polling, no lock kept alive, no outcome recorded.
   * Runs in flight stay 'running' in the table until their visibility timeout passes. For tests.
   */
  async crash(): Promise<void> {
    this.crashed = true;
    this.stopping = true;
    for (const w of this.workers.values()) w.wake();
    await Promise.all([...this.workers.values()].map((w) => w.loop));
  }
}

function toInfo(row: JobRow): JobInfo {
  const state = row.status === 'queued' ? (row.attempts > 0 ? 'retry' : 'queued') : row.status === 'running' ? 'running' : row.status;
  return { id: row.id, name: row.name, state, data: row.data, attempts: row.attempts, lastError: row.last_error };
}
