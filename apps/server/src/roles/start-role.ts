import type { Config } from '../config/config';
import type { Services } from '../modules/services';
import type { JobLogger } from '../platform/queue/embedded-job-queue';

/**
 * Opens the job queue and, in roles `worker` and `all`, runs the analysis jobs in this process
 * and re-enqueues ended sessions left without analysis. Returns what stops it all.
 */
export async function startJobs(services: Services, config: Pick<Config, 'role' | 'jobs'>, log: JobLogger): Promise<() => Promise<void>> {
  await services.jobs.start();
  if (config.role !== 'api') {
    await services.analysis.startWorker(config.jobs.concurrency);
    services.analysis.sweep().catch((err) => log.warn({ err }, 'could not look for ended sessions without analysis'));
  }
  return async () => {
    await services.live.whenIdle();
    await services.jobs.stop();
  };
}
