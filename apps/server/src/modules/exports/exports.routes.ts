import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { auditedRead } from '../sessions';

/** Exports for other tools: a writing session as an IDFX log (Inputlog's XML), for writing researchers. */
export const exportsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/sessions/:id/export.idfx',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'Export a writing session as an IDFX log (Inputlog XML)',
        description:
          'The keystroke log Inputlog and the tools of writing research read: each typed change a keyboard event (winlog: press and release time, key, character; ' +
          'wordlog: position, document length, replay), a change over a selection a replacement event, a paste an insert event. Veritas records key classes, never keys: ' +
          'a character key is named by the character it typed. Each event also carries its Veritas events in a `veritas` part, so `veritas import-idfx` gives the session back ' +
          'event for event. 409 session-not-ended while it is active; 404 for a session that is not a writing session.',
        params: SessionParams,
        response: {
          200: { description: 'The IDFX log', content: { 'application/xml': { schema: Type.String() } } },
          ...problemResponses(400, 401, 404, 409, 413, 503),
        },
      },
      preHandler: auditedRead(services.audit, 'session.data.export', () => ({ format: 'idfx' })),
    },
    async (req, reply) => {
      // Made once from the ended session and stored (ADR 0030); later downloads read the stored file.
      const scope = scopeOf(req);
      const file = await services.downloads.rawFile(scope, req.params.id, 'idfx');
      const blob = await services.downloads.open(file, () => services.downloads.rawFile(scope, req.params.id, 'idfx'));
      return reply
        .type(file.contentType)
        .header('content-length', String(blob.size))
        .header('content-disposition', `attachment; filename="${file.fileName}"`)
        .send(blob.body as never);
    },
  );
};
