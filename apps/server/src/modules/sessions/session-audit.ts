import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/actor';
import { contextOf } from '../../http/route-kit';
import type { AuditService, RequestContext } from '../audit';

/** Who asked, for the audit: the request's actor and where the request came from. */
export interface Caller {
  actor: Actor;
  context: RequestContext;
}

export const callerOf = (req: FastifyRequest): Caller => ({ actor: req.actor, context: contextOf(req) });

/** The tenant an entry about this caller's session goes to (its chain): the actor's scope. */
export const tenantOfCaller = (actor: Actor): string | null => (actor.kind === 'anonymous' ? null : actor.scope.tenantId);

/**
 * Whether a read of a session goes in the audit: by a person, a key or a share link, and any read of
 * a tenant's session. Not the holder of a public session's id (or its write token) reading it: that is
 * the public capability itself, and recording it would flood the trail with what anyone may do.
 */
export function auditsRead(actor: Actor): boolean {
  switch (actor.kind) {
    case 'user':
    case 'api-key':
      return true;
    case 'session-reader':
      return actor.shareLinkId !== undefined || actor.scope.tenantId !== null;
    case 'session-writer':
      return actor.scope.tenantId !== null;
    case 'anonymous':
      return false;
  }
}

/** Sensitive reads of a session, by the action name the audit records. */
export type SessionRead =
  | 'session.events.read'
  | 'session.live.read'
  | 'session.replay.read'
  | 'session.export'
  | 'session.data.export'
  | 'session.analysis.read'
  | 'session.report.read'
  | 'session.download.link';

/**
 * A route's preHandler that records a sensitive read of the session in its path, after the access
 * hook let it through and before anything is sent: a read that cannot be audited is not served.
 */
export function auditedRead(audit: AuditService, action: SessionRead, detailOf?: (req: FastifyRequest) => Record<string, unknown>) {
  return async (req: FastifyRequest): Promise<void> => {
    if (!auditsRead(req.actor)) return;
    const { id } = req.params as { id: string };
    await audit.record({
      tenantId: tenantOfCaller(req.actor),
      actor: req.actor,
      action,
      resource: { type: 'session', id },
      context: contextOf(req),
      ...(detailOf ? { detail: detailOf(req) } : {}),
    });
  };
}
