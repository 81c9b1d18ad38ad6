import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, createTestDatabase, TEST_DB } from '../../testing/test-database';
import { EmbeddedJobQueue } from './embedded-job-queue';
import { PgBossJobQueue } from './pg-boss-job-queue';
import { backoffMs, jobIdFor } from './job-queue';
import { jobQueueContract } from './job-queue.contract';

// The embedded runner on whichever storage the suite runs on (PGlite, or PostgreSQL).
jobQueueContract(`embedded runner on ${TEST_DB}`, async () => {
  const db = await createTestDatabase();
  return {
    retryDelayMs: 100,
    visibilityTimeoutMs: 300,
    slackMs: 250,
    async open(queues) {
      const q = new EmbeddedJobQueue(db.database, { queues, pollIntervalMs: 20 });
      await q.start();
      return q;
    },
    close: () => db.drop(),
  };
});

// pg-boss needs PostgreSQL: it runs when the suite does (VERITAS_TEST_DB=postgres).
if (TEST_DB === 'postgres') {
  jobQueueContract('pg-boss', async () => {
    const pg = await createPostgresDatabase();
    return {
      retryDelayMs: 1000,
      visibilityTimeoutMs: 2000,
      slackMs: 1500,
      async open(queues) {
        const q = new PgBossJobQueue({ connectionString: pg.url, queues, pollIntervalMs: 500, maintenanceIntervalSeconds: 1, poolSize: 3 });
        await q.start();
        return q;
      },
      close: () => pg.drop(),
    };
  });

  describe('pg-boss stop', () => {
    it('lets the process exit when it stops with more workers fetching than connections', async () => {
      const pg = await createPostgresDatabase();
      try {
        // A process of its own: what is checked is that nothing keeps it alive once the queue stopped.
        const module = new URL('./pg-boss-job-queue.ts', import.meta.url).href;
        const script = `
          const { PgBossJobQueue } = await import(${JSON.stringify(module)});
          const q = new PgBossJobQueue({ connectionString: ${JSON.stringify(pg.url)}, queues: { a: {}, b: {}, c: {} }, pollIntervalMs: 500, poolSize: 1 });
          await q.start();
          // Twelve workers on one connection: their first fetches queue for it.
          for (const name of ['a', 'b', 'c']) await q.work(name, async () => {}, { concurrency: 4 });
          await q.stop({ timeoutMs: 1000 });
          console.log('stopped');`;
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        // A generous ceiling for a busy machine; before the fix the process never exited.
        const code = await Promise.race([exited, new Promise<'alive'>((r) => setTimeout(() => r('alive'), 90_000))]);
        if (code === 'alive') child.kill('SIGKILL');
        expect(out).toContain('stopped');
        expect(code).toBe(0);
      } finally {
        await pg.drop();
      }
    }, 120_000);
  });

  describe('pg-boss worker', () => {
    it('drains a backlog without sleeping its polling interval between jobs', async () => {
      const pg = await createPostgresDatabase();
      const pollIntervalMs = 2000;
      const q = new PgBossJobQueue({ connectionString: pg.url, queues: { backlog: {} }, pollIntervalMs, poolSize: 3 });
      try {
        await q.start();
        // Enqueued before any worker exists: no enqueue wakes the worker, as with jobs from another process.
        const ids: string[] = [];
        for (let i = 0; i < 10; i++) ids.push((await q.enqueue('backlog', { i })).id);
        const ran: number[] = [];
        const started = performance.now();
        await q.work<{ i: number }>('backlog', async ({ i }) => void ran.push(i), { concurrency: 1 });
        const ceiling = Date.now() + 60_000;
        while (ran.length < ids.length && Date.now() < ceiling) await new Promise((r) => setTimeout(r, 20));
        const took = performance.now() - started;
        expect(ran.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        // One job per polling interval (the pg-boss default behaviour) would take 9 intervals, 18 s.
        expect(took).toBeLessThan(2 * pollIntervalMs);
      } finally {
        await q.stop({ timeoutMs: 1000 });
        await pg.drop();
      }
    });
  });
}

describe('job queue helpers', () => {
  it('derives one UUID per (queue, key)', () => {
    const a = jobIdFor('analyze-session', 'abc');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(jobIdFor('analyze-session', 'abc')).toBe(a);
    expect(jobIdFor('analyze-session', 'abd')).not.toBe(a);
    expect(jobIdFor('other', 'abc')).not.toBe(a);
  });

  it('backs off exponentially with jitter: retry n waits between d·2^(n−1) and d·2^n', () => {
    expect(backoffMs(100, 1, () => 0)).toBe(100);
    expect(backoffMs(100, 1, () => 1)).toBe(200);
    expect(backoffMs(100, 3, () => 0)).toBe(400);
    expect(backoffMs(100, 3, () => 0.5)).toBe(600);
    expect(backoffMs(100, 40, () => 0)).toBe(100 * 2 ** 16);
  });
});
