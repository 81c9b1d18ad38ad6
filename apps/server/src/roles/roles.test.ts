import { describe, expect, it, vi } from 'vitest';
import { JOBS } from '../jobs/registry';
import { simulate, toBundle } from '@veritas/simulator';
import { ConfigError, loadConfig } from '../config/config';
import { buildApp } from '../http/app';
import { startServer } from './server';
import { createTestDatabase } from '../testing/test-database';
import { buildWorkerApp } from './worker-app';
import { ANALYZE_SESSION_POLICY } from '../modules/analysis';
import { startRole } from './start-role';

describe('roles and the job driver in the configuration', () => {
  it('defaults to role all, the embedded runner on PGlite and pg-boss on PostgreSQL', () => {
    expect(loadConfig({})).toMatchObject({ role: 'all', jobs: { driver: 'embedded' } });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).jobs.driver).toBe('pg-boss');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', VERITAS_JOBS_DRIVER: 'embedded' }).jobs.driver).toBe('embedded');
    expect(loadConfig({ VERITAS_ROLE: 'worker', DATABASE_URL: 'postgres://u@h/db' }).role).toBe('worker');
  });

  it('fails fast on a wrong role or driver', async () => {
    expect(() => loadConfig({ VERITAS_ROLE: 'boss' })).toThrow(/VERITAS_ROLE must be api, worker or all/);
    expect(() => loadConfig({ VERITAS_JOBS_DRIVER: 'pg-boss' })).toThrow(ConfigError);
    expect(() => loadConfig({ VERITAS_JOBS_DRIVER: 'bullmq' })).toThrow(/embedded or pg-boss/);
    // The embedded database serves one process: splitting roles on it is refused before anything opens.
    await expect(startServer(loadConfig({}, { dataDir: undefined, role: 'api', logLevel: 'silent' }))).rejects.toThrow(/needs DATABASE_URL/);
  });
});

describe('split roles: an api process and a worker process on one database', () => {
  it('the api enqueues on upload, the worker runs the job and serves only health', async () => {
    const db = await createTestDatabase();
    const base = { dataDir: undefined, logLevel: 'silent' as const, jobs: { driver: 'embedded' as const, pollIntervalMs: 20, concurrency: 1 } };
    const apiConfig = loadConfig({}, { ...base, role: 'api' });
    const api = await buildApp({ config: apiConfig, database: db.database, logger: false });
    await startRole(api, apiConfig);
    const worker = await buildWorkerApp({ config: loadConfig({}, { ...base, role: 'worker' }), database: db.database, logger: false });
    try {
      expect((await worker.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      expect((await worker.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
      expect((await worker.inject({ method: 'GET', url: '/v1/bundles' })).statusCode).toBe(404);

      const bundle = await toBundle(simulate('copy', 1, { paragraphs: 2 }), { sessionId: 'roles_split_session_1' });
      expect((await api.inject({ method: 'POST', url: '/v1/bundles', payload: bundle })).statusCode).toBe(201);
      const until = Date.now() + 10_000;
      let r = await api.inject({ method: 'GET', url: '/v1/sessions/roles_split_session_1/analysis' });
      while (r.statusCode === 202 && Date.now() < until) {
        await new Promise((res) => setTimeout(res, 30));
        r = await api.inject({ method: 'GET', url: '/v1/sessions/roles_split_session_1/analysis' });
      }
      expect(r.statusCode).toBe(200);
      expect(r.json().status).toBe('done');
      expect(r.json().analysis.flags.map((f: { detector: string }) => f.detector)).toContain('transcription');
    } finally {
      await api.close();
      await worker.close();
      await db.drop();
    }
  });

  it('parks a job that keeps failing and shows it as failed with its error', async () => {
    const db = await createTestDatabase();
    const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', role: 'api', jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 1 } });
    const app = await buildApp({ config, database: db.database, logger: false });
    await startRole(app, config);
    try {
      const bundle = await toBundle(simulate('genuine', 4, { paragraphs: 1 }), { sessionId: 'roles_failing_session' });
      expect((await app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle })).statusCode).toBe(201);
      // Make the job's run fail on every attempt: the stored result cannot be written.
      await db.database.db.schema
        .alterTable('analyses')
        .addCheckConstraint('analyses_refuse_all', (await import('kysely')).sql`false`)
        .execute();
      const { EmbeddedJobQueue } = await import('../platform/queue/embedded-job-queue');
      // A worker with short retry delays; the attempts come from the job's policy, fixed when it was enqueued.
      const runner = new EmbeddedJobQueue(db.database, { queues: { 'analyze-session': { retryDelayMs: 10 } }, pollIntervalMs: 20 });
      await runner.work('analyze-session', (job) => app.services.analysis.run(job as never));
      const until = Date.now() + 10_000;
      let r = await app.inject({ method: 'GET', url: '/v1/sessions/roles_failing_session/analysis' });
      while (r.statusCode === 202 && Date.now() < until) {
        await new Promise((res) => setTimeout(res, 30));
        r = await app.inject({ method: 'GET', url: '/v1/sessions/roles_failing_session/analysis' });
      }
      await runner.stop();
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        status: 'failed',
        attempts: ANALYZE_SESSION_POLICY.retryLimit! + 1,
        error: expect.stringContaining('analyses_refuse_all'),
      });
    } finally {
      await app.close();
      await db.drop();
    }
  });
});

describe('what starts the jobs', () => {
  it('buildApp starts no job worker; startRole does, in roles all and worker only', async () => {
    const { EmbeddedJobQueue } = await import('../platform/queue/embedded-job-queue');
    const work = vi.spyOn(EmbeddedJobQueue.prototype, 'work');
    const db = await createTestDatabase();
    const base = { dataDir: undefined, logLevel: 'silent' as const, jobs: { driver: 'embedded' as const, pollIntervalMs: 20, concurrency: 1 } };
    try {
      const all = loadConfig({}, { ...base, role: 'all' });
      const app = await buildApp({ config: all, database: db.database, logger: false });
      await app.ready();
      expect(work).not.toHaveBeenCalled();
      await app.close();

      const api = loadConfig({}, { ...base, role: 'api' });
      const apiApp = await buildApp({ config: api, database: db.database, logger: false });
      await startRole(apiApp, api);
      expect(work).not.toHaveBeenCalled();
      await apiApp.close();

      const allApp = await buildApp({ config: all, database: db.database, logger: false });
      await startRole(allApp, all);
      // Every registered job gets a worker (the analysis and the webhook deliveries among them).
      expect(work.mock.calls.map((c) => c[0])).toEqual(JOBS.map((j) => j.name));
      expect(work.mock.calls.map((c) => c[0])).toEqual(expect.arrayContaining(['analyze-session', 'webhook.deliver']));
      await allApp.close();
    } finally {
      work.mockRestore();
      await db.drop();
    }
  });
});
