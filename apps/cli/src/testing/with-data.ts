import { loadConfig, migrateToLatest, openDatabase, type Database } from '@veritas/server';

/** Opens a test's own embedded database in `dir` (the data folder is locked meanwhile), migrated, runs `work`, closes it. */
export async function withData<T>(dir: string, work: (database: Database) => Promise<T>): Promise<T> {
  const { database, unlock } = await openDatabase(loadConfig({}, { dataDir: dir }));
  try {
    await migrateToLatest(database.db);
    return await work(database);
  } finally {
    await database.close();
    unlock();
  }
}
