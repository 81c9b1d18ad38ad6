import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { SessionKind } from '@veritas/schema';
import { problemResponses, SessionView } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { baseUrl, presentSession } from '../sessions';
import { AnalysisSummarySchema } from '../analysis';

export const SessionListItem = Type.Composite([SessionView, Type.Object({ analysisSummary: AnalysisSummarySchema })]);

/** GET /v1/sessions: the sessions the caller may list, with their analysis summaries, a page at a time. */
export const sessionListRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  app.get(
    '/v1/sessions',
    {
      config: { access: 'sessions:list' },
      schema: {
        tags: ['sessions'],
        summary: 'List sessions',
        description:
          'Newest first, each with its analysis summary. A signed-in person lists the sessions of their institution they may read: an admin all of them, ' +
          'a teacher those of the students in their classes and their own, an observer those of the teachers they are attached to, a student their own; ' +
          "an API key (with `sessions:read`) its institution's. Without a credential the list holds only the sessions published to everyone, " +
          'the demo sessions (`veritas serve --demo`): a public session id is a read capability, so an anonymous session created through the API or uploaded never appears. ' +
          'Pass `next` as `cursor` for the following page; `next` is null on the last page.',
        querystring: Type.Object(
          {
            kind: Type.Optional(SessionKind),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('ended')])),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'The `next` of the previous page' })),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(SessionListItem),
            next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' }),
          }),
          ...problemResponses(400, 401, 403, 503),
        },
      },
    },
    async (req) => {
      const { kind, status, cursor, limit } = req.query;
      const page = await services.sessionList.list(req.actor, {
        limit,
        ...(kind ? { kind } : {}),
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const base = baseUrl(req, config.publicUrl);
      return { items: page.items.map(({ session, summary }) => ({ ...presentSession(session, base), analysisSummary: summary })), next: page.next };
    },
  );
};
