import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { survivePoolErrors } from '../db/pg-pool-errors';
import { DEFAULT_QUEUE_POLICY, jobIdFor, type JobCounts, type JobHandler, type JobInfo, type JobQueue, type JobState, type QueuePolicy } from './job-queue';
import type { JobLogger } from './embedded-job-queue';

export interface PgBossJobQueueOptions {
  connectionString: string;
  /** Per-queue policies; pg-boss counts delays in whole seconds (at least 1 s, rounded up). */
  queues?: Record<string, Partial<QueuePolicy>>;
  /** Idle polling interval (pg-boss allows 500 ms at least; default 2 s). Enqueueing in this process wakes its workers. */
  pollIntervalMs?: number;
  /** How often pg-boss looks for runs past their visibility timeout, among other upkeep (default 60 s). */
  maintenanceIntervalSeconds?: number;
  /** Schema of pg-boss's tables (default pgboss). */
  schema?: string;
  /** Connections for pg-boss (default 4). */
  poolSize?: number;
  log?: JobLogger;
}

const STATES: Record<string, JobState> = { created: 'queued', retry: 'retry', active: 'running', completed: 'done', failed: 'failed', cancelled: 'failed' };

/**
 * The job queue on pg-boss (PostgreSQL only): the established library for deployments where
 * `serve --role worker` processes scale apart from the API. pg-boss owns its schema and
 * migrations; we only map our contract onto it:
 * - retries: queue `retryLimit`, `retryDelay` (seconds) and `retryBackoff: true`, whose delay is the
 *   same jittered doubling as the embedded runner's;
 * - parked: a job out of retries stays in state 'failed' with its error as output;
 * - visibility: the queue's `expireInSeconds`. pg-boss keeps no heartbeat, so it is also a run's
 *   time limit; its maintenance moves runs of dead processes past it back to retry;
 * - idempotency: the job id is jobIdFor(name, key) and pg-boss inserts with `on conflict do nothing`.
 */
export class PgBossJobQueue implements JobQueue {
  readonly driver = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly pool: pg.Pool;
  private readonly created = new Set<string>();
  private readonly workerIds = new Map<string, string[]>();
  private severed = false;
  private started = false;

  constructor(private readonly options: PgBossJobQueueOptions) {
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4, application_name: 'veritas-jobs' });
    // pg-boss queries through this pool; a database restart must not crash the process (see survivePoolErrors).
    survivePoolErrors(this.pool);
    const db: PgBoss.Db = {
      // Once crashed, queries never answer, as from a process that is gone (see crash()).
      executeSql: (text, values) => (this.severed ? new Promise<never>(() => {}) : this.pool.query(text, values)),
    };
    this.boss = new PgBoss({
      db,
      ...(options.schema ? { schema: options.schema } : {}),
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
      // Completed and failed jobs stay queryable (getJobById with the archive) for a week.
      archiveCompletedAfterSeconds: 7 * 24 * 3600,
      deleteAfterDays: 30,
    });
    this.boss.on('error', (err) => {
      if (!this.severed) options.log?.warn({ err }, 'pg-boss reported an error');
    });
  }

  private policy(name: string): QueuePolicy {
    return { ...DEFAULT_QUEUE_POLICY, ...this.options.queues?.[name] };
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
    for (const name of Object.keys(this.options.queues ?? {})) await this.ensureQueue(name);
  }

  private async ensureQueue(name: string): Promise<void> {
    if (this.created.has(name)) return;
    const p = this.policy(name);
    const queue = {
      name,
      retryLimit: p.retryLimit,
      retryDelay: Math.max(1, Math.ceil(p.retryDelayMs / 1000)),
      retryBackoff: true,
      expireInSeconds: Math.max(1, Math.ceil(p.visibilityTimeoutMs / 1000)),
    };
    if (!(await this.boss.getQueue(name))) {
      try {
        await this.boss.createQueue(name, queue);
      } catch (err) {
        // Another process created it between our look and our insert.
        if ((err as { code?: string }).code !== '23505') throw err;
      }
    } else {
      await this.boss.updateQueue(name, queue);
    }
    this.created.add(name);
  }

  async enqueue(name: string, data: unknown, options: { key?: string } = {}) {
    await this.ensureQueue(name);
    const id = options.key !== undefined ? jobIdFor(name, options.key) : randomUUID();
    const sent = await this.boss.send(name, { payload: data ?? null }, { id });
    for (const w of this.workerIds.get(name) ?? []) this.boss.notifyWorker(w);
    return { id, created: sent !== null };
  }

  async get(name: string, id: string): Promise<JobInfo | null> {
    await this.ensureQueue(name);
    const job = await this.boss.getJobById<{ payload: unknown }>(name, id, { includeArchive: true });
    if (!job) return null;
    const state = STATES[job.state] ?? 'failed';
    // pg-boss counts retries when a retry is fetched; a run in flight or settled has run retryCount + 1 times.
    const attempts = job.state === 'created' ? 0 : job.retryCount + 1;
    const output = job.output as { message?: unknown; value?: { message?: unknown } } | null;
    const lastError =
      job.state === 'retry' || job.state === 'failed' || job.state === 'cancelled'
        ? String(output?.message ?? output?.value?.message ?? (job.state === 'cancelled' ? 'cancelled' : 'failed'))
        : null;
    return { id: job.id, name: job.name, state, data: job.data?.payload ?? null, attempts, lastError };
  }

  async counts(name: string): Promise<JobCounts> {
    // pg-boss counts the states before a given one (created < retry < active < completed < …).
    await this.ensureQueue(name);
    const waiting = await this.boss.getQueueSize(name, { before: 'active' });
    const notDone = await this.boss.getQueueSize(name, { before: 'completed' });
    const schema = this.options.schema ?? 'pgboss';
    const failed = await this.pool.query<{ n: string }>(`select count(*) as n from ${pg.escapeIdentifier(schema)}.job where name = $1 and state = 'failed'`, [
      name,
    ]);
    return { queued: waiting, running: Math.max(0, notDone - waiting), failed: Number(failed.rows[0]?.n ?? 0) };
  }

  async work<T>(name: string, handler: JobHandler<T>, options: { concurrency?: number } = {}): Promise<void> {
    if (this.workerIds.has(name)) throw new Error(`queue ${name} already has a worker in this process`);
    await this.ensureQueue(name);
    const ids: string[] = [];
    // pg-boss v10 runs one batch per worker at a time: n workers of batch size 1 make concurrency n.
    for (let i = 0; i < Math.max(1, options.concurrency ?? 1); i++) {
      // Known once work() answers; a job fetched before that (not seen in practice) is simply not followed by a wake.
      const worker: { id?: string } = {};
      worker.id = await this.boss.work<{ payload: T }>(
        name,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: Math.max(0.5, (this.options.pollIntervalMs ?? 2000) / 1000) },
        async ([job]) => {
          if (!job) return;
          try {
            await handler(job.data.payload, { id: job.id, attempt: job.retryCount + 1 });
          } finally {
            // A worker that found a job looks for the next one at once. pg-boss otherwise sleeps its
            // polling interval after every job unless an enqueue in this process wakes it, so a backlog
            // (jobs enqueued by another process, or left when the enqueues stop) drained at only
            // concurrency ÷ interval jobs per second: 8 webhook deliveries per second (bench/webhooks).
            if (worker.id !== undefined) this.boss.notifyWorker(worker.id);
          }
        },
      );
      ids.push(worker.id);
    }
    this.workerIds.set(name, ids);
  }

  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.started) return void (await this.pool.end().catch(() => {}));
    this.started = false;
    const timeoutMs = options.timeoutMs ?? 10_000;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
    await this.poolSettled(timeoutMs);
    await this.pool.end().catch(() => {});
  }

  /**
   * Waits (bounded) until no query waits for one of the pool's connections. pg-boss's stop tells its
   * workers to stop but answers while a worker's fetch may still be queued for a connection, and
   * pg-pool never answers a request still queued when the pool ends: that worker never stopped, and
   * pg-boss's offWork looked for it every second forever, so the process never exited (seen once
   * after a closed-loop ingest bench; `job-queue.test.ts` stops with more workers than connections).
   */
  private async poolSettled(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pool.waitingCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /**
   * Stops as if the process had died: its workers stop fetching, then its database connection
   * goes silent (queries never answer), so nothing in flight is settled and those runs stay
   * active until pg-boss's maintenance, in another process, finds them past their visibility
   * timeout. For tests.
   */
  async crash(): Promise<void> {
    for (const name of this.workerIds.keys()) await this.boss.offWork(name).catch(() => {});
    this.severed = true;
    this.started = false;
    // Clears pg-boss's timers; its last step (failing work in progress) never answers, by design.
    void this.boss.stop({ graceful: false, close: false }).catch(() => {});
    await this.pool.end().catch(() => {});
  }
}
