import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SessionReader } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { ShareScope } from '../../platform/db/tables';
import { contextOf } from '../../http/route-kit';
import type { AuditService } from '../audit';
import { scopeOfShareLink } from './share-links.repository';

/** The part of a session a route reads, for a share link's reader: `any` is what every link opens. */
type Part = 'any' | 'replay' | 'report';

/**
 * What each route a share link may reach reads. A route not listed is refused to every share link
 * (deny by default: a route added later opens to links only when it is listed here).
 */
export const SHARE_PARTS: Readonly<Record<string, Part>> = {
  'GET /v1/sessions/:id': 'any',
  'GET /v1/sessions/:id/share-link': 'any',
  'GET /v1/sessions/:id/events': 'replay',
  'GET /v1/sessions/:id/replay': 'replay',
  'GET /v1/sessions/:id/bundle': 'replay',
  'POST /v1/sessions/:id/live-tickets': 'replay',
  'GET /v1/sessions/:id/live': 'replay',
  'GET /v1/sessions/:id/analysis': 'report',
  'GET /v1/sessions/:id/report': 'report',
  'GET /v1/sessions/:id/alerts': 'report',
  'GET /v1/sessions/:id/certificate': 'report',
};

export const opens = (scope: ShareScope, part: Part): boolean => part === 'any' || scope === 'both' || scope === part;

const viaLink = (req: FastifyRequest): req is FastifyRequest & { actor: SessionReader & { shareLinkId: string } } =>
  req.actor?.kind === 'session-reader' && req.actor.shareLinkId !== undefined;

/**
 * Holds a share link's reader to its scope, and audits every read through a link (`share-link.view`,
 * with the route and the part read). Runs after the access hook: what it lets through, access let
 * through first. A live ticket's holder carries the link's id only: its scope is read from the link.
 */
export function installShareScope(app: FastifyInstance, { database: { db }, audit }: { database: Database; audit: AuditService }): void {
  app.addHook('preValidation', async (req) => {
    if (!viaLink(req)) return;
    const part = SHARE_PARTS[`${req.method} ${req.routeOptions.url ?? ''}`];
    const scope = req.actor.shareScope ?? (await guard(scopeOfShareLink(db, req.actor.shareLinkId)));
    if (part === undefined || scope === undefined || !opens(scope, part))
      throw new AppError(
        'outside-share-scope',
        `this share link opens ${scope === 'both' ? 'the replay and the report' : `the ${scope ?? 'nothing'}`}, not this`,
      );
  });
  // After validation: a malformed request is no view. Before the handler: a view that cannot be audited is not served.
  app.addHook('preHandler', async (req) => {
    if (!viaLink(req)) return;
    const { id } = req.params as { id: string };
    await audit.record({
      tenantId: req.actor.scope.tenantId,
      actor: req.actor,
      action: 'share-link.view',
      resource: { type: 'share-link', id: req.actor.shareLinkId },
      context: contextOf(req),
      detail: { sessionId: id, route: `${req.method} ${req.routeOptions.url ?? ''}` },
    });
  });
}
