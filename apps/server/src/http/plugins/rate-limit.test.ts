import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../config/config';
import { buildApp } from '../app';
import { connectRedis, redisReady } from '../../roles/server';
import { createTestDatabase, TEST_REDIS_URL } from '../../testing/test-database';
import { chainBatches, typingEvents } from '../../testing/batches';
import { freePort, OwnRedis } from '../../testing/own-redis';

const CEILING_MS = 60_000;

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + CEILING_MS;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const started: OwnRedis[] = [];
afterAll(async () => {
  for (const r of started) await r.stop();
});

describe('rate limits across instances and Redis outages', () => {
  it.skipIf(!TEST_REDIS_URL)('counts one client across two server instances through Redis', async () => {
    const config = loadConfig(
      {},
      { dataDir: undefined, logLevel: 'silent', redisUrl: TEST_REDIS_URL!, rateLimit: { anonymousPerMinute: 4, ingestPerMinute: 100 } },
    );
    const db = await createTestDatabase();
    const namespace = `veritas-rl-shared-${randomBytes(4).toString('hex')}:`;
    const redisA = connectRedis(TEST_REDIS_URL!);
    const redisB = connectRedis(TEST_REDIS_URL!);
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

  it('keeps counting in memory when Redis is unreachable: ingest still works, and the limit still holds', async () => {
    const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', rateLimit: { anonymousPerMinute: 2, ingestPerMinute: 3 } });
    const db = await createTestDatabase();
    const deadRedis = connectRedis('redis://127.0.0.1:9');
    expect(await redisReady(deadRedis, 200)).toBe(false);
    const app = await buildApp({ config, database: db.database, redis: deadRedis, logger: false });
    try {
      const create = () => app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
      const s = (await create()).json();
      expect((await create()).statusCode).toBe(201);
      expect((await create()).statusCode).toBe(429);
      const batches = await chainBatches(s.id, typingEvents('abcd'), 1, s.writeToken);
      const codes = [];
      for (const b of batches)
        codes.push(
          (await app.inject({ method: 'POST', url: `/v1/sessions/${s.id}/events`, headers: { authorization: `Bearer ${s.writeToken}` }, payload: b }))
            .statusCode,
        );
      expect(codes).toEqual([200, 200, 200, 429]);
    } finally {
      await app.close();
      deadRedis.disconnect();
      await db.drop();
    }
  });

  it('holds the limit through a Redis restart: counted locally while it is away, the shared count re-seeded after', async () => {
    const own = new OwnRedis(await freePort());
    started.push(own);
    await own.start();
    const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', rateLimit: { anonymousPerMinute: 4, ingestPerMinute: 100 } });
    const db = await createTestDatabase();
    const redisA = connectRedis(own.url);
    const redisB = connectRedis(own.url);
    const clients: Redis[] = [redisA, redisB];
    expect(await redisReady(redisA)).toBe(true);
    expect(await redisReady(redisB)).toBe(true);
    const a = await buildApp({ config, database: db.database, redis: redisA, rateLimitNamespace: 'rl:', logger: false });
    const b = await buildApp({ config, database: db.database, redis: redisB, rateLimitNamespace: 'rl:', logger: false });
    try {
      const create = async (app: typeof a) => (await app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'sensor' } })).statusCode;
      // Redis up: A twice, B once (shared count 3 of 4).
      expect([await create(a), await create(a), await create(b)]).toEqual([201, 201, 201]);

      await own.stop();
      await until(() => clients.every((c) => c.status !== 'ready'), 'the clients to see Redis gone');
      // Redis away: A counts its own traffic in memory (its third and fourth pass, its fifth does not),
      // instead of letting everything through. Per instance: B would have had its own four.
      expect(await create(a)).toBe(201);
      expect(await create(a)).toBe(201);
      expect(await create(a)).toBe(429);

      await own.start();
      await until(() => clients.every((c) => c.status === 'ready'), 'the clients to reconnect');
      // Redis is back, empty. A's count (6 hits now) re-seeds the shared count instead of starting from zero.
      expect(await create(a)).toBe(429);
      // B had one hit of its own; the shared count now says the client is over its limit.
      expect(await create(b)).toBe(429);
    } finally {
      await a.close();
      await b.close();
      for (const c of clients) c.disconnect();
      await own.stop();
      await db.drop();
    }
  });
});
