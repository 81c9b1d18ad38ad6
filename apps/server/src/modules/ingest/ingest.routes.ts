import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { BatchBody } from '@veritas/schema';
import { IngestAnswer, problemResponses, SessionParams, writerOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { AccessRefusal } from '../../http/route-kit';
import { handleIngestSocket } from './ingest.socket';

/** Ingest: batches over HTTP, or a WebSocket for high-frequency streams. Both answer the durable ack. */
export const ingestRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { services, config } = deps;
  app.post(
    '/v1/sessions/:id/events',
    {
      bodyLimit: config.bodyLimit.events,
      config: {
        access: 'writer',
        rateLimit: { max: config.rateLimit.ingestPerMinute, timeWindow: 60_000, keyGenerator: (req) => `${req.ip}:${(req.params as { id?: string }).id ?? ''}` },
      },
      schema: {
        tags: ['ingest'],
        summary: 'Send a batch of events',
        description:
          'Answers after the batch is committed, with the highest contiguous seq stored durably. A retried batch is a no-op; a batch ahead of a gap is held (202) until the gap fills; a broken chain is refused.',
        params: SessionParams,
        body: BatchBody,
        security: [{ writeToken: [] }],
        response: { 200: IngestAnswer, 202: IngestAnswer, ...problemResponses(400, 401, 404, 409, 413, 415, 429, 503) },
      },
      // A batch the access hook refused (no token, a wrong one) counts as rejected, like one the service refuses.
      onError: async (_req, _reply, err) => {
        if (err instanceof AccessRefusal) services.metrics.batchRejected(err.code);
      },
    },
    async (req, reply) => {
      const result = await services.ingest.submit(writerOf(req), req.body);
      return reply.code(result.held && !result.duplicate ? 202 : 200).send(result);
    },
  );

  app.get(
    '/v1/sessions/:id/ingest',
    {
      websocket: true,
      config: { access: 'writer' },
      schema: {
        tags: ['ingest'],
        summary: 'Stream batches over a WebSocket (veritas.ingest/v1)',
        description:
          'First message {"type":"hello","protocol":"veritas.ingest/v1","token":"<write token>"} → {"type":"ready","ack":n}. Then {"type":"batch","batch":{…}} → {"type":"ack","firstSeq":f,"ack":n,"held":bool} or {"type":"error","firstSeq":f,"problem":{…}} (with "retryAfter": seconds when the database is away; a hello refused for that closes with 1013, a wrong token with 4401). An authorised socket that sends nothing for the idle limit is closed with 4408.',
        params: SessionParams,
      },
    },
    (socket, req) => handleIngestSocket(socket, (req.params as { id: string }).id, req.routeOptions.config.access ?? 'writer', deps, req.log),
  );
};
