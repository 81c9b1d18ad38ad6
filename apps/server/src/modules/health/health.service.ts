import type { Database } from '../../platform/db/database';
import { AppError } from '../../kernel/errors';
import { pingDatabase } from './health.repository';

export interface HealthService {
  /** Which database answers; database-unavailable when it does not. */
  ready(): Promise<Database['kind']>;
}

export function createHealthService(database: Database): HealthService {
  return {
    async ready() {
      try {
        await pingDatabase(database.db);
      } catch {
        throw new AppError('database-unavailable', 'the database does not answer');
      }
      return database.kind;
    },
  };
}
