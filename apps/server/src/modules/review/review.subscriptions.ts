import pLimit from 'p-limit';
import type { EventBus } from '../../kernel/events';
import type { ReviewService } from './review.service';

/**
 * Consolidations of live alerts running at once in this instance. Each is a transaction of several
 * round trips; when every student of an exam raises an alert within the same seconds, hundreds of them
 * queued for the pool in front of the alerts' own inserts and the exam rooms' reads, which is what
 * tells a teacher. Flags are for review afterwards, so they wait their turn instead (bench/live).
 */
export const ALERT_COLLECTS_AT_ONCE = 2;

/**
 * Where review flags come from, read in one place: a session's finished analysis (its raised flags)
 * and its live alerts as they are stored. Both consolidate idempotently; neither changes a review state.
 */
export function subscribeReview(events: EventBus, review: ReviewService): void {
  const alertCollects = pLimit(ALERT_COLLECTS_AT_ONCE);
  events.on('analysis.done', async ({ scope, sessionId }) => {
    await review.collect(scope, sessionId, 'analysis');
  });
  events.on('alert.raised', async ({ scope, sessionId }) => {
    await alertCollects(() => review.collect(scope, sessionId, 'alerts'));
  });
}
