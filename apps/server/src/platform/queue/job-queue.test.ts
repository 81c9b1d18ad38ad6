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
