import type { Database } from '../db/database';
import type { Config } from '../config';
import type { AppMetrics } from '../metrics';
import { createIngestService, type CommittedEvents, type IngestService } from './ingest/ingest.service';
import { createSessionsService, type SessionsService } from './sessions.service';
import { createBundlesService, type BundlesService } from './bundles.service';

export interface Services {
  database: Database;
  metrics: AppMetrics;
  sessions: SessionsService;
  ingest: IngestService;
  bundles: BundlesService;
}

export function createServices(database: Database, config: Config, metrics: AppMetrics, onCommitted?: (c: CommittedEvents[]) => void): Services {
  return {
    database,
    metrics,
    sessions: createSessionsService(database),
    bundles: createBundlesService(database),
    ingest: createIngestService(
      database,
      { maxWaitMs: config.groupCommit.maxWaitMs, maxWeight: config.groupCommit.maxEvents, concurrency: database.kind === 'pglite' ? 1 : 4 },
      metrics,
      onCommitted,
    ),
  };
}
