import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { AuditPage, AuditQuerystring } from './audit.schemas';
import { presentAuditEntry } from './audit.presenter';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';

/** The tenant's audit trail, for its admins: newest first, filtered, a page at a time. */
export const auditRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/admin/audit',
    {
      config: { access: 'audit:read' },
      schema: {
        tags: ['admin'],
        summary: "Search the tenant's audit trail",
        description: "Only the caller's own tenant's entries. `veritas audit verify` checks the hash chains.",
        querystring: AuditQuerystring,
        response: { 200: AuditPage, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const { actorId, action, resourceType, resourceId, from, to, cursor, limit } = req.query;
      const rows = await services.audit.search({
        tenantId: userOf(req).tenantId,
        ...(actorId !== undefined ? { actorId } : {}),
        ...(action !== undefined ? { action } : {}),
        ...(resourceType !== undefined ? { resourceType } : {}),
        ...(resourceId !== undefined ? { resourceId } : {}),
        ...(from !== undefined ? { from: new Date(from) } : {}),
        ...(to !== undefined ? { to: new Date(to) } : {}),
        ...(cursor !== undefined ? { beforeSeq: decodeAuditCursor(cursor) } : {}),
        // One more than asked says whether a next page exists.
        limit: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(presentAuditEntry), next: rows.length > limit && last ? encodeAuditCursor(last.seq) : null };
    },
  );
};
