import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { loadConfig, type Config } from '../config/config';
import { buildApp, type App } from '../http/app';
import { connectRedis, redisReady } from '../roles/server';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './test-database';

export interface TestApp {
  app: App;
  db: TestDatabase;
  redis?: Redis;
  close(): Promise<void>;
}

/** An app on a fresh database (PGlite in memory, or its own PostgreSQL database), with Redis when the suite runs on it. */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', ...(TEST_REDIS_URL ? { redisUrl: TEST_REDIS_URL } : {}), ...overrides });
  const db = await createTestDatabase();
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  if (redis) await redisReady(redis);
  const app = await buildApp({ config, database: db.database, ...(redis ? { redis } : {}), rateLimitNamespace: `veritas-rl-test-${randomBytes(4).toString('hex')}:`, logger: false });
  await app.ready();
  return {
    app,
    db,
    ...(redis ? { redis } : {}),
    async close() {
      await app.close();
      redis?.disconnect();
      await db.drop();
    },
  };
}
