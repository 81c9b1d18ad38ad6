import type { Config } from '../../config/config';
import type { QueuePolicy } from '../../platform/queue/job-queue';

/**
 * The retry schedule of a message: the job queue's exponential backoff with jitter (retry n waits a
 * uniformly drawn time between base·2^(n−1) and base·2^n). With the defaults (15 attempts, base 6 s)
 * the first retry comes after 6–12 s and the fifteenth attempt 27 to 55 hours after the first: at
 * least a day of trying. The visibility timeout outlasts one attempt's time limit.
 */
export function webhookQueuePolicy(config: Readonly<Config>): QueuePolicy {
  return {
    retryLimit: config.webhooks.attempts - 1,
    retryDelayMs: config.webhooks.retryBaseMs,
    visibilityTimeoutMs: Math.max(60_000, config.webhooks.timeoutMs * 3),
  };
}
