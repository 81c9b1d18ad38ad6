import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { REPLAY_FORMAT, REPLAY_MEDIA_TYPE } from '@veritas/replay';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { auditedRead } from '../sessions';

/**
 * What the replay viewer needs, compactly: the operations as columns and the session's timeline
 * parts, as NDJSON chunks streamed while they are encoded (the viewer builds keyframes itself).
 */
export const replayRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/v1/sessions/:id/replay',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'Stream the replay data of a session',
        description: `${REPLAY_FORMAT} as ${REPLAY_MEDIA_TYPE}: one JSON object per line, header first; decode with createReplayDecoder() from @veritas/replay.`,
        params: SessionParams,
        querystring: Type.Object({
          chunkRows: Type.Optional(Type.Integer({ minimum: 64, maximum: 65_536, description: 'Operations per line (default 4096)' })),
        }),
        response: { 200: { description: 'NDJSON stream', content: { [REPLAY_MEDIA_TYPE]: { schema: Type.String() } } }, ...problemResponses(400, 404, 503) },
      },
      preHandler: auditedRead(services.audit, 'session.replay.read'),
    },
    async (req, reply) => {
      // Read from the events table a page at a time and encoded as it goes: never the whole session in memory.
      const chunks = await services.replay.stream(scopeOf(req), req.params.id, req.query.chunkRows ? { chunkRows: req.query.chunkRows } : {});
      // A stream goes out as-is; the schema above only documents its media type.
      return reply
        .type(REPLAY_MEDIA_TYPE)
        .header('cache-control', 'no-store')
        .send(Readable.from(chunks) as never);
    },
  );
};
