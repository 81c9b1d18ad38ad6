import type { EventBus } from '../../kernel/events';
import { GroupCommitter } from '../../kernel/group-commit';
import { groupBy } from '../../kernel/group-by';
import type { Scope } from '../../kernel/scope';
import { isUnavailable } from '../../platform/db/database-errors';
import type { ReviewService } from './review.service';

/**
 * How live alerts become review flags: the sessions whose alerts were stored while one consolidation
 * ran are consolidated together by the next, one transaction of a few statements for all of them, one
 * at a time in this instance. When every student of an exam raises an alert within the same seconds,
 * a transaction each (even two at a time) kept PostgreSQL busy for seconds after the burst, in front
 * of ingest and of the exam rooms' reads, which is what tells a teacher (bench/README.md, live).
 * Flags are for review afterwards: the first of a burst waits `waitMs` for company.
 */
export const ALERT_COLLECTS = { waitMs: 20, sessionsAtOnce: 200 } as const;

interface AlertCollect {
  scope: Scope;
  sessionId: string;
}

/**
 * Where review flags come from, read in one place: a session's finished analysis (its raised flags)
 * and its live alerts as they are stored. Both consolidate idempotently; neither changes a review state.
 */
export function subscribeReview(events: EventBus, review: ReviewService): void {
  const alertCollects = new GroupCommitter<AlertCollect, number>(
    {
      maxWaitMs: ALERT_COLLECTS.waitMs,
      maxWeight: ALERT_COLLECTS.sessionsAtOnce,
      concurrency: 1,
      // A group that fails for one of its sessions (not because the database is away) is split until
      // that session fails alone: the others' flags are still made.
      isolate: (err) => !isUnavailable(err),
    },
    () => 1,
    async (asked) => {
      const counts = new Map<AlertCollect, number>();
      // One tenant's sessions at a time, with that tenant's scope.
      for (const group of groupBy(asked, (a) => a.scope.tenantId).values()) {
        const made = await review.collectAlerts(
          group[0]!.scope,
          group.map((a) => a.sessionId),
        );
        for (const a of group) counts.set(a, made.get(a.sessionId) ?? 0);
      }
      return asked.map((a) => counts.get(a) ?? 0);
    },
  );
  events.on('analysis.done', async ({ scope, sessionId }) => {
    await review.collect(scope, sessionId, 'analysis');
  });
  events.on('alert.raised', async ({ scope, sessionId }) => {
    await alertCollects.submit({ scope, sessionId });
  });
}
