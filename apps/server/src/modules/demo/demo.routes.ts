import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, scopeOf, SessionView } from '../../http/route-kit';
import { baseUrl, presentSession } from '../sessions';
import type { RouteDeps } from '../../http/route-deps';

/** The demo sessions seeded by `veritas serve --demo`. Only those: other anonymous ids stay unlisted. */
export const demoRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  app.get(
    '/v1/demo/sessions',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['demo'],
        summary: 'List the demo sessions',
        description: 'Superseded by GET /v1/sessions (paged, filtered, with analysis summaries), which lists the same sessions.',
        deprecated: true,
        response: { 200: Type.Object({ items: Type.Array(SessionView) }), ...problemResponses(503) },
      },
    },
    async (req) => {
      const rows = await services.sessions.listBySource(scopeOf(req), 'demo', 100);
      return { items: rows.map((r) => presentSession(r, baseUrl(req, config.publicUrl))) };
    },
  );
};
