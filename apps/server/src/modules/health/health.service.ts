import type { Database } from '../../platform/db/database';
import type { JobQueue } from '../../platform/queue/job-queue';
import { AppError } from '../../kernel/errors';
import { pingDatabase } from './health.repository';
import type { ReplicaState } from '../../platform/db/read-replica';

/** A dependency the server can work without for a while: reported, never a reason to refuse traffic. */
export type DependencyState = 'up' | 'down' | 'not-configured';

export interface Readiness {
  database: Database['kind'];
  /** Redis carries the hub between instances and the shared rate limits; without it each instance counts alone. */
  redis: DependencyState;
  /** The job queue's store answers, with the analysis backlog; jobs wait in it while it is down. */
  queue: { state: Exclude<DependencyState, 'not-configured'>; backlog?: number };
  /** The read replica (DATABASE_REPLICA_URL): while it is down or lagging its reads go to the primary. */
  replica: { state: ReplicaState | 'not-configured'; lagMs?: number };
}

export interface HealthService {
  /** The dependencies' states; throws database-unavailable when the database does not answer. */
  ready(): Promise<Readiness>;
}

interface HealthLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface HealthDependencies {
  /** ioredis's connection state ('ready' when connected); absent on the embedded default. */
  redis?: { readonly status: string };
  jobs: Pick<JobQueue, 'counts'>;
  /** The queue whose backlog /ready shows. */
  backlogQueue: string;
}

const QUEUE_PROBE_MS = 1_000;

/**
 * Readiness, logged on a change of state (an outage once, the recovery once), not on every probe:
 * an orchestrator probes every few seconds, and an outage must not bury the log in errors.
 * Only the database decides the answer: without Redis an instance still serves (hub and rate limits
 * fall back to the instance), without its read replica too (those reads go to the primary), and a
 * stalled queue delays jobs, not requests; taking every instance out of rotation for any of them
 * would turn a degraded service into none.
 */
export function createHealthService(database: Database, log: HealthLog, deps: HealthDependencies): HealthService {
  const last = new Map<string, string>();
  const note = (dependency: string, state: string, detail: object = {}) => {
    const before = last.get(dependency);
    last.set(dependency, state);
    if (before === state || (before === undefined && state !== 'down')) return;
    if (state === 'down') log.warn({ dependency, ...detail }, `${dependency} unreachable: /ready reports it until it is back`);
    else log.info({ dependency }, `${dependency} reachable again`);
  };

  async function queueState(): Promise<Readiness['queue'] & { error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const counts = await Promise.race([
        deps.jobs.counts(deps.backlogQueue),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${QUEUE_PROBE_MS} ms`)), QUEUE_PROBE_MS);
        }),
      ]);
      return { state: 'up', backlog: counts.queued };
    } catch (err) {
      return { state: 'down', error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async ready() {
      try {
        await pingDatabase(database.db);
      } catch (err) {
        note('database', 'down', { err: (err as Error).message, database: database.kind });
        throw new AppError('database-unavailable', 'the database does not answer');
      }
      note('database', 'up');
      const redis: DependencyState = deps.redis ? (deps.redis.status === 'ready' ? 'up' : 'down') : 'not-configured';
      note('redis', redis);
      const { error, ...queue } = await queueState();
      note('queue', queue.state, { err: error });
      const replica = database.replica ? await database.replica.check() : { state: 'not-configured' as const };
      note('replica', replica.state === 'up' || replica.state === 'not-configured' ? 'up' : 'down', replica);
      return { database: database.kind, redis, queue, replica };
    },
  };
}
