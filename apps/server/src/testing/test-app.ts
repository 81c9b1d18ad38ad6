import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfig, type ConfigOverrides } from '../config/config';
import { buildApp, type App, type AppDeps } from '../http/app';
import { connectRedis, redisReady } from '../roles/server';
import { startRole } from '../roles/start-role';
import { createTestDatabase, TEST_DB, TEST_REDIS_URL, type TestDatabase } from './test-database';

export interface TestApp {
  app: App;
  db: TestDatabase;
  redis?: Redis;
  close(): Promise<void>;
}

/**
 * An app on a fresh database (PGlite in memory, or its own PostgreSQL database), with Redis when the
 * suite runs on it, started in its role (default all: it runs the jobs too), as `veritas serve` would.
 */
export async function createTestApp(overrides: ConfigOverrides = {}, deps: Pick<AppDeps, 'clock' | 'hubNamespace'> = {}): Promise<TestApp> {
  // Stored files go to a folder of this app's own, removed on close (unless the test chose a store).
  const blobDir = overrides.blob ? undefined : await mkdtemp(join(tmpdir(), 'veritas-test-blobs-'));
  const config = loadConfig(
    {},
    {
      dataDir: undefined,
      logLevel: 'silent',
      ...(TEST_REDIS_URL ? { redisUrl: TEST_REDIS_URL } : {}),
      // The database is opened here, not from DATABASE_URL: give ingest the concurrency the config derives for it.
      ...(TEST_DB === 'postgres' ? { groupCommit: { concurrency: 4 } } : {}),
      ...(blobDir ? { blob: { driver: 'fs' as const, dir: blobDir } } : {}),
      ...overrides,
    },
  );
  const db = await createTestDatabase();
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  if (redis) await redisReady(redis);
  const app = await buildApp({
    config,
    database: db.database,
    ...(redis ? { redis } : {}),
    rateLimitNamespace: `veritas-rl-test-${randomBytes(4).toString('hex')}:`,
    logger: false,
    ...deps,
  });
  await startRole(app, config);
  await app.ready();
  return {
    app,
    db,
    ...(redis ? { redis } : {}),
    async close() {
      await app.close();
      redis?.disconnect();
      await db.drop();
      if (blobDir) await rm(blobDir, { recursive: true, force: true });
    },
  };
}
