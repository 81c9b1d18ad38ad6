import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionReader } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { ShareScope } from '../../platform/db/tables';
import { contextOf } from '../../http/route-kit';
import type { AuditService } from '../audit';
import { scopeOfShareLink } from './share-links.repository';

/** The part of a session a route reads, for a share link's reader: `any` is what every link opens, `both` only a link to both. */
type Part = 'any' | 'replay' | 'report' | 'both';

/**
 * What each route a share link may reach reads, and whether the route audits the read itself
 * (auditedRead, under the link's id): the others are audited here as `share-link.view`, so every
 * read through a link is in the trail once. A route not listed is refused to every share link
 * (deny by default: a route added later opens to links only when it is listed here).
 */
export const SHARE_PARTS: Readonly<Record<string, { part: Part; auditsItself: boolean }>> = {
  'GET /v1/sessions/:id': { part: 'any', auditsItself: false },
  'GET /v1/sessions/:id/share-link': { part: 'any', auditsItself: false },
  'GET /v1/sessions/:id/events': { part: 'replay', auditsItself: true },
  'GET /v1/sessions/:id/replay': { part: 'replay', auditsItself: true },
  'GET /v1/sessions/:id/bundle': { part: 'replay', auditsItself: true },
  'POST /v1/sessions/:id/live-tickets': { part: 'replay', auditsItself: false },
  'GET /v1/sessions/:id/live': { part: 'replay', auditsItself: true },
  'GET /v1/sessions/:id/analysis': { part: 'report', auditsItself: true },
  'GET /v1/sessions/:id/report': { part: 'report', auditsItself: true },
  'GET /v1/sessions/:id/alerts': { part: 'report', auditsItself: false },
  'GET /v1/sessions/:id/certificate': { part: 'report', auditsItself: false },
  // The whole of the session's data: only a link that opens everything.
  'GET /v1/sessions/:id/data': { part: 'both', auditsItself: true },
};

export const opens = (scope: ShareScope, part: Part): boolean => part === 'any' || scope === 'both' || scope === part;

const routeOf = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? ''}`;

const viaLink = (req: FastifyRequest): req is FastifyRequest & { actor: SessionReader & { shareLinkId: string } } =>
  req.actor?.kind === 'session-reader' && req.actor.shareLinkId !== undefined;

/**
 * Holds a share link's reader to its scope, and audits as `share-link.view` every read through a link
 * that its route does not audit itself. Runs after the access hook: what it lets through, access let
 * through first. A live ticket's holder carries the link's id only: its scope is read from the link.
 */
export function installShareScope(app: FastifyInstance, { database: { db }, audit }: { database: Database; audit: AuditService }): void {
  app.addHook('preValidation', async (req) => {
    if (!viaLink(req)) return;
    const part = SHARE_PARTS[routeOf(req)]?.part;
    const scope = req.actor.shareScope ?? (await guard(scopeOfShareLink(db, req.actor.shareLinkId)));
    if (part === undefined || scope === undefined || !opens(scope, part))
      throw new AppError(
        'outside-share-scope',
        `this share link opens ${scope === 'both' ? 'the replay and the report' : `the ${scope ?? 'nothing'}`}, not this`,
      );
  });
  // After validation: a malformed request is no view. Before the handler: a view that cannot be audited is not served.
  app.addHook('preHandler', async (req) => {
    if (!viaLink(req) || SHARE_PARTS[routeOf(req)]?.auditsItself !== false) return;
    const { id } = req.params as { id: string };
    await audit.record({
      tenantId: req.actor.scope.tenantId,
      actor: req.actor,
      action: 'share-link.view',
      resource: { type: 'share-link', id: req.actor.shareLinkId },
      context: contextOf(req),
      detail: { sessionId: id, route: routeOf(req) },
    });
  });
}
