import { SpanStatusCode } from '@opentelemetry/api';
import type { Config } from '../config/config';
import type { Services } from '../modules/services';
import type { JobContext } from '../platform/queue/job-queue';
import { ANALYZE_SESSION, type AnalyzeSessionJob } from '../modules/analysis';
import { DELIVER_WEBHOOK, type DeliverWebhookJob } from '../modules/webhooks';
import { BUILD_SUBJECT_EXPORT, type BuildSubjectExportJob } from '../modules/privacy';
import { LTI_GRADE_PASSBACK, LTI_ROSTER_SYNC, type GradePassbackJob, type RosterSyncJob } from '../modules/lti';

/** One job a worker runs: its queue name and the module function that handles it. */
export interface JobBinding {
  name: string;
  /** Runs at once per process. */
  concurrency(config: Readonly<Config>): number;
  handle(services: Services, data: unknown, ctx: JobContext): Promise<void>;
}

/**
 * The one registry binding job names to handlers. A module enqueues by name (and declares the
 * queue's retry policy, modules/services.ts QUEUES); which process runs what is decided in roles/.
 */
export const JOBS: readonly JobBinding[] = [
  {
    name: ANALYZE_SESSION,
    concurrency: (config) => config.jobs.concurrency,
    handle: (services, data) => services.analysis.run(data as AnalyzeSessionJob),
  },
  {
    name: DELIVER_WEBHOOK,
    // Deliveries wait on other servers, not on our CPU: more at once than analyses.
    concurrency: (config) => Math.max(4, config.jobs.concurrency * 4),
    handle: (services, data, ctx) => services.webhooks.deliver(data as DeliverWebhookJob, ctx),
  },
  // Subject-access archives (ADR 0029): one at a time per process; each reads a person's whole history.
  { name: BUILD_SUBJECT_EXPORT, concurrency: () => 1, handle: (services, data) => services.subjectExports.build(data as BuildSubjectExportJob) },
  // LTI Advantage (ADR 0028): grade passbacks wait on the LMS, not on our CPU; a roster sync writes a class at a time.
  {
    name: LTI_GRADE_PASSBACK,
    concurrency: (config) => Math.max(2, config.jobs.concurrency * 2),
    handle: (services, data, ctx) => services.lti.advantage.ags.pass(data as GradePassbackJob, ctx),
  },
  { name: LTI_ROSTER_SYNC, concurrency: () => 1, handle: async (services, data) => void (await services.lti.advantage.nrps.sync(data as RosterSyncJob)) },
];

/** Registers every job's handler with the queue: this process now runs jobs. */
export async function workJobs(services: Services, config: Readonly<Config>): Promise<void> {
  const { metrics } = services;
  for (const job of JOBS) {
    await services.jobs.work(
      job.name,
      async (data, ctx) => {
        const started = performance.now();
        metrics.jobStarted(job.name);
        let outcome: 'done' | 'failed' = 'failed';
        // A run is a trace of its own (its queries are its children), when tracing is on.
        const span = services.tracing?.startInternalSpan(`job ${job.name}`, { 'veritas.job.queue': job.name });
        try {
          await (span ? services.tracing!.within(span, () => job.handle(services, data, ctx)) : job.handle(services, data, ctx));
          outcome = 'done';
        } catch (err) {
          span?.recordException(err as Error);
          span?.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
          throw err;
        } finally {
          metrics.jobFinished(job.name, outcome, (performance.now() - started) / 1000);
          span?.end();
        }
      },
      { concurrency: job.concurrency(config) },
    );
  }
}
