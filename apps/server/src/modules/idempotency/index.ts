export { createIdempotencyService, IDEMPOTENCY_TTL_MS, IN_FLIGHT_STALE_MS } from './idempotency.service';
export type { IdempotencyOutcome, IdempotencyService, IdempotentRequest } from './idempotency.service';
