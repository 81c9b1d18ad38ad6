import type { Database } from '../platform/db/database';
import type { Config } from '../config/config';
import type { AppMetrics } from '../platform/metrics/metrics';
import { createIngestService, type CommittedEvents, type IngestService } from './ingest/ingest.service';
import { createSessionsService, type SessionsService } from './sessions/sessions.service';
import { createBundlesService, type BundlesService } from './bundles/bundles.service';
import { createAnalysisService, type AnalysisService } from './analysis/analysis.service';
import { createLiveAnalysisService, type LiveAnalysisService, type LiveAnalysisLogger } from './analysis/live-analysis.service';
import { createJobQueue } from '../platform/queue/create-job-queue';
import type { JobQueue } from '../platform/queue/job-queue';
import type { JobLogger } from '../platform/queue/embedded-job-queue';

export interface Services {
  database: Database;
  metrics: AppMetrics;
  sessions: SessionsService;
  ingest: IngestService;
  bundles: BundlesService;
  /** The job queue (jobs/): analysis runs there when a session ends. */
  jobs: JobQueue;
  analysis: AnalysisService;
  /** Live alerts from the incremental analyser fed by ingest. */
  live: LiveAnalysisService;
}

export interface ServiceOptions {
  /** A job queue to use instead of the configured one (tests). */
  jobs?: JobQueue;
  log?: JobLogger & LiveAnalysisLogger;
}

export function createServices(database: Database, config: Config, metrics: AppMetrics, onCommitted?: (c: CommittedEvents[]) => void, options: ServiceOptions = {}): Services {
  const jobs = options.jobs ?? createJobQueue(config, database, options.log);
  const policy = { hostSignals: config.hostSignals };
  const analysis = createAnalysisService(database, jobs, policy);
  const live = createLiveAnalysisService(database, { policy, ...(options.log ? { log: options.log } : {}) });
  const sessions = createSessionsService(database);
  const bundles = createBundlesService(database);
  return {
    database,
    metrics,
    jobs,
    analysis,
    live,
    // A session that ends (or arrives ended in a bundle) gets its analysis job; enqueueing is idempotent.
    sessions: {
      ...sessions,
      async end(scope, id) {
        const row = await sessions.end(scope, id);
        await analysis.request(scope, id);
        live.forget(id);
        return row;
      },
    },
    bundles: {
      async import(scope, input, opts) {
        const imported = await bundles.import(scope, input, opts);
        await analysis.request(scope, imported.session.id);
        return imported;
      },
    },
    ingest: createIngestService(
      database,
      { maxWaitMs: config.groupCommit.maxWaitMs, maxWeight: config.groupCommit.maxEvents, concurrency: database.kind === 'pglite' ? 1 : 4 },
      metrics,
      (c) => {
        live.onCommitted(c);
        onCommitted?.(c);
      },
    ),
  };
}
