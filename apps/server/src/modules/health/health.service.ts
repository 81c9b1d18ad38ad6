import type { Database } from '../../platform/db/database';
import { AppError } from '../../kernel/errors';
import { pingDatabase } from './health.repository';

export interface HealthService {
  /** Which database answers; database-unavailable when it does not. */
  ready(): Promise<Database['kind']>;
}

interface HealthLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Readiness, logged on a change of state (the outage once, the recovery once), not on every probe:
 * an orchestrator probes every few seconds, and an outage must not bury the log in errors.
 */
export function createHealthService(database: Database, log: HealthLog): HealthService {
  let reachable: boolean | undefined;
  return {
    async ready() {
      try {
        await pingDatabase(database.db);
      } catch (err) {
        if (reachable !== false)
          log.warn({ err: (err as Error).message, database: database.kind }, 'database unreachable: /ready answers 503 until it is back');
        reachable = false;
        throw new AppError('database-unavailable', 'the database does not answer');
      }
      if (reachable === false) log.info({ database: database.kind }, 'database reachable again: /ready answers 200');
      reachable = true;
      return database.kind;
    },
  };
}
