import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../config/config';
import { buildApp } from '../app';
import { connectRedis, redisReady } from '../../roles/server';
import { createTestDatabase, TEST_REDIS_URL } from '../../testing/test-database';

describe('rate limits across instances', () => {
  it.skipIf(!TEST_REDIS_URL)('counts one client across two server instances through Redis', async () => {
    const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', redisUrl: TEST_REDIS_URL!, rateLimit: { anonymousPerMinute: 4, ingestPerMinute: 100 } });
    const db = await createTestDatabase();
    const namespace = `veritas-rl-shared-${randomBytes(4).toString('hex')}:`;
    const redisA = connectRedis(TEST_REDIS_URL!);
    const redisB = connectRedis(TEST_REDIS_URL!);
    // Counting starts once both instances reach Redis (before that, a rate limit lets requests through).
    expect(await redisReady(redisA)).toBe(true);
    expect(await redisReady(redisB)).toBe(true);
    const a = await buildApp({ config, database: db.database, redis: redisA, rateLimitNamespace: namespace, logger: false });
    const b = await buildApp({ config, database: db.database, redis: redisB, rateLimitNamespace: namespace, logger: false });
    try {
      const create = (app: typeof a) => app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } });
      const codes = [(await create(a)).statusCode, (await create(b)).statusCode, (await create(a)).statusCode, (await create(b)).statusCode];
      expect(codes).toEqual([201, 201, 201, 201]);
      const fifth = await create(b);
      expect(fifth.statusCode).toBe(429);
      expect(fifth.json().type).toBe('urn:veritas:problem:rate-limited');
    } finally {
      await a.close();
      await b.close();
      redisA.disconnect();
      redisB.disconnect();
      await db.drop();
    }
  });

  it('lets requests through when Redis is down, so ingest never stops for it', async () => {
    const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', rateLimit: { anonymousPerMinute: 2, ingestPerMinute: 100 } });
    const db = await createTestDatabase();
    const deadRedis = connectRedis('redis://127.0.0.1:9');
    expect(await redisReady(deadRedis, 200)).toBe(false);
    const app = await buildApp({ config, database: db.database, redis: deadRedis, logger: false });
    try {
      for (let i = 0; i < 3; i++) expect((await app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).statusCode).toBe(201);
    } finally {
      await app.close();
      deadRedis.disconnect();
      await db.drop();
    }
  });
});
