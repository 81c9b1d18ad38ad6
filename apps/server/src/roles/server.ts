import { Redis } from 'ioredis';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config';
import { openPglite, openPostgres, type Database } from '../platform/db/database';
import { lockDataDir } from '../platform/db/data-lock';
import { startControlSocket } from './control-socket';
import { migrateToLatest } from '../platform/db/migrations';
import { buildApp, type App } from '../http/app';
import { ConfigError } from '../config/config';
import { buildWorkerApp } from './worker-app';
import { startRole } from './start-role';

export interface RunningServer {
  app: App;
  url: string;
  database: Database;
  close(): Promise<void>;
}

/** Where the built web app lives in this checkout. */
export const DEFAULT_WEB_DIST = join(fileURLToPath(new URL('.', import.meta.url)), '../../../web/dist');

/** Opens the configured database (locking the embedded data folder), migrates it, and listens. */
export async function openDatabase(config: Config): Promise<{ database: Database; unlock: () => void }> {
  if (config.databaseUrl)
    return {
      database: openPostgres(config.databaseUrl, 10, {
        ...(config.replica ? { replica: config.replica } : {}),
        // One connection per group ingest may commit at once (groupCommit.concurrency).
        ingestConnections: config.groupCommit.concurrency,
      }),
      unlock: () => {},
    };
  const unlock = config.dataDir ? lockDataDir(config.dataDir) : () => {};
  try {
    return { database: await openPglite(config.dataDir ? join(config.dataDir, 'pglite') : undefined), unlock };
  } catch (err) {
    unlock();
    throw err;
  }
}

/**
 * Resolves once Redis is connected, or after `ms` if it is not: a server should count rate limits
 * from its first request when Redis is up, and still start when it is down.
 */
export function redisReady(redis: Redis, ms = 2000): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, ms);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

export function connectRedis(url: string): Redis {
  // Commands fail fast while Redis is down or hung instead of queueing; the rate limits then count in
  // this instance's memory (platform/rate-limit) until it is back.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false, commandTimeout: 1000 });
  redis.on('error', () => {});
  return redis;
}

export interface StartOptions {
  logger?: boolean | object;
  /**
   * Runs once the app is built and its role started, before the port opens: work a first request
   * must find done (the demo data) is done before /ready can answer ready.
   */
  beforeListen?: (app: App) => Promise<void>;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  // The embedded database belongs to one process, so API and workers cannot be split on it.
  if (!config.databaseUrl && config.role !== 'all')
    throw new ConfigError(`--role ${config.role} needs DATABASE_URL (PostgreSQL): the embedded database serves one process, which must do both (--role all)`);
  const { database, unlock } = await openDatabase(config);
  let redis: Redis | undefined;
  try {
    await migrateToLatest(database.db);
    redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
    if (redis) await redisReady(redis);
    const logger = options.logger !== undefined ? { logger: options.logger } : {};
    // A worker runs jobs and answers only /health, /ready and /metrics.
    let app: App;
    if (config.role === 'worker') app = (await buildWorkerApp({ config, database, ...logger })) as App;
    else {
      app = await buildApp({ config, database, ...(redis ? { redis } : {}), ...logger });
      await startRole(app, config);
    }
    await options.beforeListen?.(app);
    await app.listen({ host: config.host, port: config.port });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    // `veritas backup` reaches a running embedded server through its data folder.
    const control =
      database.dump && config.dataDir
        ? await startControlSocket(config.dataDir, database, config.blob.driver === 'fs' ? config.blob.dir : undefined)
        : undefined;
    return {
      app,
      url,
      database,
      async close() {
        await control?.close();
        await app.close();
        redis?.disconnect();
        await database.close();
        unlock();
      },
    };
  } catch (err) {
    redis?.disconnect();
    await database.close().catch(() => {});
    unlock();
    throw err;
  }
}
