/**
 * The real server for a browser test, on the storage the suite runs on: the embedded
 * database (testing/real-server.ts's startWebServer), or with VERITAS_TEST_DB=postgres a fresh
 * PostgreSQL database of its own (and Redis as the live hub with VERITAS_TEST_HUB=redis), dropped at
 * the end. Node only, never bundled.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, seedDemoPeople, startServer } from '@veritas/server';
import { buildWeb } from './browser-harness';
import { startWebServer, type WebServer } from './real-server';

export const ON_POSTGRES = process.env.VERITAS_TEST_DB === 'postgres';
const ADMIN_URL = process.env.VERITAS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function startTestStorageWebServer(name: string): Promise<WebServer> {
  if (!ON_POSTGRES) return startWebServer(name);
  const dbName = `veritas_t_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const dir = await mkdtemp(join(tmpdir(), `veritas-${name}-`));
  await buildWeb(join(dir, 'dist'));
  const env = {
    DATABASE_URL: url.toString(),
    VERITAS_JOBS_DRIVER: 'embedded',
    ...(process.env.VERITAS_TEST_HUB === 'redis' ? { REDIS_URL: process.env.VERITAS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' } : {}),
  };
  const server = await startServer(loadConfig(env, { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), webDist: join(dir, 'dist'), logLevel: 'silent' }));
  const seeded = await seedDemoPeople(server.database);
  return {
    url: server.url,
    server,
    people: Object.fromEntries(seeded.map((p) => [p.role, p])) as WebServer['people'],
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
      await admin(`drop database if exists ${dbName} with (force)`);
    },
  };
}
