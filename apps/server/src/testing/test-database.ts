import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openPglite, openPostgres, type Database } from '../platform/db/database';
import { migrateToLatest } from '../platform/db/migrations';

/** Which storage the suite runs on: the embedded default, or PostgreSQL (set by scripts/test.mjs). */
export const TEST_DB = process.env.VERITAS_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
export const TEST_REDIS_URL = process.env.VERITAS_TEST_HUB === 'redis' ? (process.env.VERITAS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379') : undefined;
const ADMIN_URL = process.env.VERITAS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  database: Database;
  /** Set on PostgreSQL: the URL of this test's own database (for child processes). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL database for one test file, so files run in parallel without sharing rows. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `veritas_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DB === 'postgres') {
    const pgdb = await createPostgresDatabase();
    const database = openPostgres(pgdb.url, 5, { ingestConnections: 2 });
    await migrateToLatest(database.db);
    return {
      database,
      url: pgdb.url,
      async drop() {
        await database.close();
        await pgdb.drop();
      },
    };
  }
  const database = await openPglite(undefined);
  await migrateToLatest(database.db);
  return { database, drop: () => database.close() };
}
