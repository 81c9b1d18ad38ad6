import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SessionId } from '@veritas/schema';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { baseUrl, callerOf } from '../sessions';
import { CreatedShareLink, presentShareLink, ShareLinkView, ShareScopeSchema } from './share-links.presenter';

const LinkParams = Type.Object({ id: SessionId, linkId: Type.String({ pattern: '^sl_[A-Za-z0-9_-]{16}$', description: 'The share link id' }) });

/**
 * Share links: read-only links to a session for someone without an account (a parent, an external
 * examiner). Made, listed and revoked by those who read the session and may manage links.
 */
export const shareLinksRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const access = ['reader', 'share-links:manage'] as const;

  app.post(
    '/v1/sessions/:id/share-links',
    {
      config: { access },
      schema: {
        tags: ['sessions'],
        summary: 'Create a share link',
        description:
          'A read-only link to the session: whoever opens it reads what its `scope` opens until it expires or is revoked: `replay` (the events, replay, bundle and live view), ' +
          '`report` (the analysis, report, alerts and certificate) or `both` (the default). Other reads through it are refused with `outside-share-scope`; every read through it is audited. ' +
          `The token is shown once, in this answer; it lasts \`expiresInDays\` days (default 30). Send it as \`?share=<token>\` or in the \`X-Veritas-Share\` header.`,
        params: SessionParams,
        body: Type.Object(
          { expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })), scope: Type.Optional(ShareScopeSchema) },
          { additionalProperties: false },
        ),
        response: { 201: CreatedShareLink, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const { link, token } = await services.shareLinks.create(scopeOf(req), req.params.id, req.body, callerOf(req));
      const url = `${baseUrl(req, config.publicUrl)}/shared/${encodeURIComponent(link.session_id)}?share=${token}`;
      return reply.code(201).send({ ...presentShareLink(link), token, url });
    },
  );

  app.get(
    '/v1/sessions/:id/share-links',
    {
      config: { access },
      schema: {
        tags: ['sessions'],
        summary: "List a session's share links",
        description: 'Newest first, revoked and expired ones included; never their tokens.',
        params: SessionParams,
        response: { 200: Type.Object({ items: Type.Array(ShareLinkView) }), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => ({ items: (await services.shareLinks.list(scopeOf(req), req.params.id)).map((l) => presentShareLink(l)) }),
  );

  app.delete(
    '/v1/sessions/:id/share-links/:linkId',
    {
      config: { access },
      schema: {
        tags: ['sessions'],
        summary: 'Revoke a share link',
        description: 'The link stops working at once. Revoking it again answers the same.',
        params: LinkParams,
        response: { 200: ShareLinkView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentShareLink(await services.shareLinks.revoke(scopeOf(req), req.params.id, req.params.linkId, callerOf(req))),
  );

  app.get(
    '/v1/sessions/:id/share-link',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'What this request may read of the session',
        description:
          "For the page behind a share link: what the link sent with this request opens (`scope`) and until when. Any other reader (a person the session is granted to, the holder of a public session's id) reads all of it: `viaLink` false, `scope` both.",
        params: SessionParams,
        response: {
          200: Type.Object({ viaLink: Type.Boolean(), scope: ShareScopeSchema, expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]) }),
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (req) => services.shareLinks.current(req.actor, scopeOf(req), req.params.id),
  );
};
