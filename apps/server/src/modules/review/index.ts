/** Flag review: consolidated flags of a tenant's sessions, reviewers' decisions, students' answers. */
export { reviewRoutes } from './review.routes';
export { createReviewService, PENDING, type ReviewService, type FlagSources, type RaisedFlag } from './review.service';
export { subscribeReview } from './review.subscriptions';
export { sessionOutcomes, type OutcomeRow } from './outcomes.repository';
