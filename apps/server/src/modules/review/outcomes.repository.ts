import type { Db } from '../../platform/db/database';
import type { ReviewState } from '../../platform/db/tables';
import type { Scope } from '../../kernel/scope';

/** A session's review flag as a report shows it: its detector, state, and when it was last decided. */
export interface OutcomeRow {
  kind: string;
  state: ReviewState;
  decided_at: Date | null;
}

/**
 * The review outcome of each of a session's flags, for the session's PDF report. The caller already
 * holds the session (the access hook checked the grant), so the read is scoped by tenant only; a
 * public session (no tenant) has no review flags.
 */
export async function sessionOutcomes(db: Db, scope: Scope, sessionId: string): Promise<OutcomeRow[]> {
  if (scope.tenantId === null) return [];
  return db
    .selectFrom('review_flags')
    .leftJoin('review_decisions', (j) =>
      j.onRef('review_decisions.flag_id', '=', 'review_flags.id').onRef('review_decisions.tenant_id', '=', 'review_flags.tenant_id'),
    )
    .select((eb) => ['review_flags.kind', 'review_flags.state', eb.fn.max('review_decisions.created_at').as('decided_at')])
    .where('review_flags.tenant_id', '=', scope.tenantId)
    .where('review_flags.session_id', '=', sessionId)
    .groupBy(['review_flags.id', 'review_flags.kind', 'review_flags.state'])
    .orderBy('review_flags.kind')
    .execute() as Promise<OutcomeRow[]>;
}
