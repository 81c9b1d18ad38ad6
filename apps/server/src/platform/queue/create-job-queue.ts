import type { Config } from '../../config/config';
import type { Database } from '../db/database';
import { EmbeddedJobQueue, type JobLogger } from './embedded-job-queue';
import type { JobQueue, QueuePolicy } from './job-queue';
import { PgBossJobQueue } from './pg-boss-job-queue';

/**
 * The configured job queue: pg-boss when the server runs on PostgreSQL (DATABASE_URL), the
 * embedded runner on PGlite (or on PostgreSQL with VERITAS_JOBS_DRIVER=embedded).
 */
export function createJobQueue(config: Config, database: Database, queues: Record<string, Partial<QueuePolicy>>, log?: JobLogger): JobQueue {
  if (config.jobs.driver === 'pg-boss') {
    if (!config.databaseUrl) throw new Error('the pg-boss job queue needs DATABASE_URL');
    return new PgBossJobQueue({
      connectionString: config.databaseUrl,
      queues,
      pollIntervalMs: Math.max(500, config.jobs.pollIntervalMs),
      ...(log ? { log } : {}),
    });
  }
  return new EmbeddedJobQueue(database, { queues, pollIntervalMs: config.jobs.pollIntervalMs, ...(log ? { log } : {}) });
}
