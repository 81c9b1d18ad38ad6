import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config';
import type { Services } from '../modules/services';
import { JOBS, workJobs } from '../jobs/registry';
import { startScheduler, type Scheduler } from '../jobs/scheduler';

/** How often a worker looks for ended sessions left without analysis (a process died between end and enqueue). */
export const SWEEP_EVERY_MS = 10 * 60_000;
/** How often a worker times out exam attempts past their deadline (their late batches are refused at once anyway). */
export const ATTEMPT_TIME_OUT_EVERY_MS = 30_000;
/** How often a worker deletes idempotency records past their day (they are not replayed after it anyway). */
export const IDEMPOTENCY_PURGE_EVERY_MS = 60 * 60_000;
/**
 * How often a worker links audit entries left pending (ADR 0033): the process that recorded them links
 * them within a moment of their commit, so this catches only those of a process that died first.
 */
export const AUDIT_LINK_EVERY_MS = 5_000;
/** Retention counts in days: an hourly sweep purges within an hour of expiry. */
export const RETENTION_SWEEP_EVERY_MS = 60 * 60_000;

/**
 * What a process starts besides its HTTP app, by role:
 * - api: opens the job queue (routes enqueue on it); runs no job;
 * - worker and all: also run every job in jobs/registry.ts and the scheduled sweeps.
 * Call it before the app is ready: it stops everything in the app's onClose.
 */
export async function startRole(app: FastifyInstance & { services: Services }, config: Pick<Config, 'role' | 'jobs'>): Promise<void> {
  const { services } = app;
  await services.jobs.start();
  // Every instance, whatever its role, reports the shared backlog of every queue the registry knows.
  services.metrics.readJobCountsFrom(
    JOBS.map((j) => j.name),
    (queue) => services.jobs.counts(queue),
  );
  let scheduler: Scheduler | undefined;
  if (config.role !== 'api') {
    await workJobs(services, config as Readonly<Config>);
    scheduler = startScheduler(
      [
        { name: 'audit-link', everyMs: AUDIT_LINK_EVERY_MS, run: () => services.audit.linkPending() },
        { name: 'analysis-sweep', everyMs: SWEEP_EVERY_MS, run: () => services.analysis.sweep() },
        { name: 'attempt-time-out', everyMs: ATTEMPT_TIME_OUT_EVERY_MS, run: () => services.attempts.timeOutOverdue() },
        { name: 'idempotency-purge', everyMs: IDEMPOTENCY_PURGE_EVERY_MS, run: () => services.idempotency.purgeExpired() },
        { name: 'retention-sweep', everyMs: RETENTION_SWEEP_EVERY_MS, run: () => services.retention.sweep({ requestId: 'scheduler' }) },
        { name: 'subject-export-sweep', everyMs: RETENTION_SWEEP_EVERY_MS, run: () => services.subjectExports.sweepExpired() },
      ],
      app.log,
    );
  }
  app.addHook('onClose', async () => {
    await scheduler?.stop();
    await services.live.whenIdle();
    await services.jobs.stop();
  });
}
