/** Retention: per-tenant policy, legal holds, and the sweep that purges what expired (ADR 0027). */
export { createRetentionService, type RetentionService, type SweepReport, type SweepItem } from './retention.service';
export { retentionRoutes } from './retention.routes';
