import type { EventBus } from '../../kernel/events';
import type { ReviewService } from './review.service';

/**
 * Where review flags come from, read in one place: a session's finished analysis (its raised flags)
 * and its live alerts as they are stored. Both consolidate idempotently; neither changes a review state.
 */
export function subscribeReview(events: EventBus, review: ReviewService): void {
  events.on('analysis.done', async ({ scope, sessionId }) => {
    await review.collect(scope, sessionId, 'analysis');
  });
  events.on('alert.raised', async ({ scope, sessionId }) => {
    await review.collect(scope, sessionId, 'alerts');
  });
}
