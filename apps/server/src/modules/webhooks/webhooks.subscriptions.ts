import type { EventBus } from '../../kernel/events';
import type { Scope, TenantId } from '../../kernel/scope';
import type { WebhooksService } from './webhooks.service';

/**
 * The domain events (kernel/events.ts) a tenant's endpoints may subscribe to, turned into stored
 * messages. Each subscriber runs inside the publisher's `publish`, so the message is stored (and its
 * job enqueued) before the request that caused it answers; a failure fails that publish as any
 * subscriber's does. Sessions without a tenant (anonymous public ones) have no endpoints.
 */
export function subscribeWebhooks(events: EventBus, webhooks: WebhooksService, now: () => Date = () => new Date()): void {
  const tenantOf = (scope: Scope): TenantId | null => scope.tenantId;
  events.on('session.ended', async ({ scope, sessionId }) => {
    const t = tenantOf(scope);
    if (t) await webhooks.tell(t, 'session.ended', [{ subjectId: sessionId, data: { sessionId } }]);
  });
  events.on('analysis.done', async ({ scope, sessionId, version }) => {
    const t = tenantOf(scope);
    // The analysis version makes the subject: a session analysed again by a newer analysis is told again.
    if (t) await webhooks.tell(t, 'analysis.done', [{ subjectId: `${sessionId}:${version}`, data: { sessionId, analysisVersion: version } }]);
  });
  events.on('flag.raised', async ({ scope, sessionId, flags }) => {
    const t = tenantOf(scope);
    // The session's flags in one tell: its endpoints read once, its messages stored in one insert.
    if (t)
      await webhooks.tell(
        t,
        'flag.raised',
        flags.map((f) => ({ subjectId: f.id, data: { flagId: f.id, sessionId, kind: f.kind, severity: f.severity } })),
      );
  });
  events.on('flag.reviewed', async ({ scope, sessionId, flagId, kind, decision, from, to, decisionId }) => {
    const t = tenantOf(scope);
    if (t) await webhooks.tell(t, 'flag.reviewed', [{ subjectId: decisionId, data: { flagId, sessionId, kind, decision, from, to, decisionId } }]);
  });
  events.on('attempt.submitted', async ({ scope, attemptId, examId, sessionId }) => {
    const t = tenantOf(scope);
    if (t) await webhooks.tell(t, 'attempt.submitted', [{ subjectId: attemptId, data: { attemptId, examId, sessionId } }]);
  });
  events.on('attempt.graded', async ({ scope, attemptId, examId, score }) => {
    const t = tenantOf(scope);
    // Each grading is its own event (a re-grade is told again).
    if (t) await webhooks.tell(t, 'attempt.graded', [{ subjectId: `${attemptId}:${now().toISOString()}`, data: { attemptId, examId, score } }]);
  });
}
