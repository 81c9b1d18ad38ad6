/** Retention: per-tenant policy, legal holds, and the sweep that purges what expired (ADR 0027). */
export { createRetentionService, type RetentionService, type SweepReport, type SweepItem } from './retention.service';
export { retentionRoutes } from './retention.routes';
/** The sessions that are a person's (owned, or of their attempts): what erasure deletes and a subject-access export holds. */
export { sessionsOfPerson } from './erasure.repository';
export { type AuditExpiry } from './audit-expiry';
