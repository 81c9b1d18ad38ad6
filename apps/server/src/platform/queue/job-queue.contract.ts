import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, JobQueue, QueuePolicy } from './job-queue';

/** A queue driver under test, on a store that outlives the queues opened on it (a "process" each). */
export interface QueueHarness {
  /** Opens a queue on the shared store, as a new process would, and starts it. */
  open(queues: Record<string, Partial<QueuePolicy>>): Promise<JobQueue & { crash(): Promise<void> }>;
  /** The smallest retry delay and visibility timeout the driver honours, and its timing slack, in ms. */
  retryDelayMs: number;
  visibilityTimeoutMs: number;
  slackMs: number;
  close(): Promise<void>;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The one contract every job queue driver passes. */
export function jobQueueContract(driver: string, makeHarness: () => Promise<QueueHarness>): void {
  describe(`job queue contract: ${driver}`, () => {
    let h: QueueHarness;
    const opened: (JobQueue & { crash(): Promise<void> })[] = [];
    const open = async (queues: Record<string, Partial<QueuePolicy>>) => {
      const q = await h.open(queues);
      opened.push(q);
      return q;
    };
    const queueName = () => `contract-${randomBytes(4).toString('hex')}`;
    const settled = (q: JobQueue, name: string, id: string, state: JobInfo['state'], timeoutMs: number) =>
      waitFor(
        `job ${id} to be ${state}`,
        async () => {
          const j = await q.get(name, id);
          return j?.state === state ? j : null;
        },
        timeoutMs,
      );

    beforeAll(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      for (const q of opened.splice(0)) await q.stop({ timeoutMs: 1000 }).catch(() => {});
    });
    afterAll(async () => h?.close());

    it('runs a job once, with its data', async () => {
      const name = queueName();
      const q = await open({ [name]: { retryDelayMs: h.retryDelayMs } });
      const runs: unknown[] = [];
      await q.work(name, async (data) => void runs.push(data));
      const { id, created } = await q.enqueue(name, { session: 'abc', n: 1 });
      expect(created).toBe(true);
      const job = await settled(q, name, id, 'done', 10 * h.slackMs);
      expect(job).toMatchObject({ id, name, attempts: 1, lastError: null, data: { session: 'abc', n: 1 } });
      await sleep(h.slackMs);
      expect(runs).toEqual([{ session: 'abc', n: 1 }]);
      expect(await q.get(name, '00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('stores one job per idempotency key, however often it is enqueued', async () => {
      const name = queueName();
      const q = await open({ [name]: {} });
      const first = await q.enqueue(name, { v: 1 }, { key: 'session-1' });
      const again = await q.enqueue(name, { v: 2 }, { key: 'session-1' });
      const other = await q.enqueue(name, { v: 3 }, { key: 'session-2' });
      expect(first.created).toBe(true);
      expect(again).toEqual({ id: first.id, created: false });
      expect(other.id).not.toBe(first.id);
      let runs = 0;
      await q.work(name, async () => void runs++);
      await settled(q, name, first.id, 'done', 10 * h.slackMs);
      await settled(q, name, other.id, 'done', 10 * h.slackMs);
      expect(runs).toBe(2);
      expect((await q.get(name, first.id))?.data).toEqual({ v: 1 });
    });

    it('retries a failed run after an exponential backoff, then succeeds', async () => {
      const name = queueName();
      const base = h.retryDelayMs;
      const q = await open({ [name]: { retryLimit: 3, retryDelayMs: base } });
      const at: number[] = [];
      const attempts: number[] = [];
      await q.work(name, async (_data, ctx) => {
        at.push(Date.now());
        attempts.push(ctx.attempt);
        if (at.length < 3) throw new Error(`transient ${at.length}`);
      });
      const { id } = await q.enqueue(name, {});
      const retrying = await settled(q, name, id, 'retry', 10 * h.slackMs);
      expect(retrying.lastError).toContain('transient 1');
      const job = await settled(q, name, id, 'done', 8 * base + 10 * h.slackMs);
      expect(job.attempts).toBe(3);
      expect(attempts).toEqual([1, 2, 3]);
      const gap1 = at[1]! - at[0]!;
      const gap2 = at[2]! - at[1]!;
      // Retry n waits between base·2^(n−1) and base·2^n (jitter), plus polling.
      expect(gap1).toBeGreaterThanOrEqual(base * 0.95);
      expect(gap1).toBeLessThanOrEqual(2 * base + h.slackMs);
      expect(gap2).toBeGreaterThanOrEqual(2 * base * 0.95);
      expect(gap2).toBeLessThanOrEqual(4 * base + h.slackMs);
    });

    it('parks a job that keeps failing, visible with its last error, and runs it no more', async () => {
      const name = queueName();
      const q = await open({ [name]: { retryLimit: 2, retryDelayMs: h.retryDelayMs } });
      let runs = 0;
      await q.work(name, async () => {
        runs++;
        throw new Error(`boom ${runs}`);
      });
      const { id } = await q.enqueue(name, { doomed: true });
      const job = await settled(q, name, id, 'failed', 8 * h.retryDelayMs + 10 * h.slackMs);
      expect(job).toMatchObject({ state: 'failed', attempts: 3, data: { doomed: true } });
      expect(job.lastError).toContain('boom 3');
      await sleep(2 * h.retryDelayMs);
      expect(runs).toBe(3);
      expect((await q.get(name, id))?.state).toBe('failed');
    });

    it('loses nothing across a stop and a restart: queued jobs run in the next process', async () => {
      const name = queueName();
      const api = await open({ [name]: {} });
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await api.enqueue(name, { i })).id);
      await api.stop();
      const worker = await open({ [name]: {} });
      const seen: number[] = [];
      await worker.work<{ i: number }>(name, async ({ i }) => void seen.push(i));
      for (const id of ids) await settled(worker, name, id, 'done', 10 * h.slackMs);
      expect(seen.sort()).toEqual([0, 1, 2]);
    });

    it('loses nothing when a process dies mid-run: the run is taken over after its visibility timeout', async () => {
      const name = queueName();
      const policy = { [name]: { visibilityTimeoutMs: h.visibilityTimeoutMs, retryDelayMs: h.retryDelayMs, retryLimit: 3 } };
      const first = await open(policy);
      let release!: () => void;
      const hung = new Promise<void>((r) => (release = r));
      const runs: string[] = [];
      await first.work(name, async () => {
        runs.push('first process');
        await hung; // never finishes before the crash
      });
      const { id } = await first.enqueue(name, { precious: true });
      await settled(first, name, id, 'running', 10 * h.slackMs);
      await first.crash();
      const second = await open(policy);
      await second.work(name, async (_d, ctx) => void runs.push(`second process, attempt ${ctx.attempt}`));
      const job = await settled(second, name, id, 'done', 4 * h.visibilityTimeoutMs + 8 * h.retryDelayMs + 10 * h.slackMs);
      release();
      expect(runs).toEqual(['first process', 'second process, attempt 2']);
      expect(job.attempts).toBe(2);
    });

    it('counts what waits, what runs and what was parked as failed', async () => {
      const name = queueName();
      const q = await open({ [name]: { retryLimit: 0, retryDelayMs: h.retryDelayMs } });
      expect(await q.counts(name)).toEqual({ queued: 0, running: 0, failed: 0 });
      await q.enqueue(name, { kind: 'hold' });
      await q.enqueue(name, { kind: 'fail' });
      await q.enqueue(name, { kind: 'wait' });
      expect(await q.counts(name)).toEqual({ queued: 3, running: 0, failed: 0 });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      await q.work<{ kind: string }>(
        name,
        async ({ kind }) => {
          if (kind === 'hold') await held;
          if (kind === 'fail') throw new Error('fails for good');
        },
        { concurrency: 3 },
      );
      await waitFor(
        'one running and one parked',
        async () => {
          const c = await q.counts(name);
          return c.running === 1 && c.failed === 1 && c.queued === 0 ? c : null;
        },
        20 * h.slackMs,
      );
      release();
      await waitFor('nothing running', async () => ((await q.counts(name)).running === 0 ? true : null), 20 * h.slackMs);
      expect(await q.counts(name)).toEqual({ queued: 0, running: 0, failed: 1 });
    });

    it('runs at most `concurrency` jobs of a queue at once, and that many in parallel', async () => {
      const name = queueName();
      const q = await open({ [name]: {} });
      let inFlight = 0;
      let most = 0;
      await q.work(
        name,
        async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await sleep(h.slackMs);
          inFlight--;
        },
        { concurrency: 2 },
      );
      const ids = [];
      for (let i = 0; i < 6; i++) ids.push((await q.enqueue(name, { i })).id);
      for (const id of ids) await settled(q, name, id, 'done', 20 * h.slackMs);
      expect(most).toBe(2);
    });
  });
}
