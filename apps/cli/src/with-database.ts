import { migrateToLatest, openDatabase, type Config, type Database } from '@veritas/server';

/**
 * Opens the configured database (locking an embedded data folder), brings it to the latest schema,
 * runs `work`, and always closes and unlocks: what every command that is not `serve` needs.
 */
export async function withMigratedDatabase<T>(config: Config, work: (database: Database, applied: string[]) => Promise<T>): Promise<T> {
  const { database, unlock } = await openDatabase(config);
  try {
    return await work(database, await migrateToLatest(database.db));
  } finally {
    await database.close();
    unlock();
  }
}
