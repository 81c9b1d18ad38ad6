// The route options below (websocket, rateLimit) are typed by these plugins' declarations.
import type {} from '@fastify/websocket';
import type {} from '@fastify/rate-limit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IngestBatchBody } from '@veritas/schema';
import { IngestAnswer, problemResponses, SessionParams, writerOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { AccessRefusal } from '../../http/route-kit';
import { AppError } from '../../kernel/errors';
import { handleIngestSocket } from './ingest.socket';

interface IngestLimit {
  bucket: string;
  max: number;
  timeWindow: number;
}

const ingestKey = (ip: string, sessionId: string) => `${ip}:${sessionId}`;

/** Ingest: batches over HTTP, or a WebSocket for high-frequency streams. Both answer the durable ack. */
export const ingestRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { services, config } = deps;
  // One limit per client and session, whatever the transport: HTTP batches and socket batches count together.
  const ingestLimit: IngestLimit = { bucket: 'ingest', max: config.rateLimit.ingestPerMinute, timeWindow: 60_000 };
  const openSockets = new Map<string, number>();
  app.post(
    '/v1/sessions/:id/events',
    {
      bodyLimit: config.bodyLimit.events,
      config: {
        access: 'writer',
        rateLimit: { ...ingestLimit, keyGenerator: (req) => ingestKey(req.ip, (req.params as { id?: string }).id ?? '') },
      },
      schema: {
        tags: ['ingest'],
        summary: 'Send a batch of events',
        description:
          'Answers after the batch is committed, with the highest contiguous seq stored durably. A retried batch is a no-op; a batch ahead of a gap is held (202) until the gap fills; a broken chain is refused. ' +
          'A session created with sealing "server" takes unsealed batches (firstSeq and events only), one at a time: the server chains and seals each; one that does not start where the chain ends is refused (409 seq-gap-unsealed, with expectedSeq). A sealed batch there, or an unsealed one on a client-sealed session, is refused (sealing-mismatch; missing-mac).',
        params: SessionParams,
        body: IngestBatchBody,
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
      // Sockets open at once per client, counted until the connection closes (an upgrade that fails included).
      onRequest: async (req) => {
        const open = openSockets.get(req.ip) ?? 0;
        if (open >= config.rateLimit.socketsPerClient)
          throw new AppError('rate-limited', `at most ${config.rateLimit.socketsPerClient} ingest sockets at once per client`);
        openSockets.set(req.ip, open + 1);
        req.raw.socket.once('close', () => {
          const left = (openSockets.get(req.ip) ?? 1) - 1;
          if (left > 0) openSockets.set(req.ip, left);
          else openSockets.delete(req.ip);
        });
      },
      schema: {
        tags: ['ingest'],
        summary: 'Stream batches over a WebSocket (veritas.ingest/v1)',
        description:
          'First message {"type":"hello","protocol":"veritas.ingest/v1","token":"<write token>"} → {"type":"ready","ack":n}. Batches may follow the hello at once, without waiting for ready: messages are taken in the order sent, and batches reach the commit in that order. Then {"type":"batch","batch":{…}} → {"type":"ack","firstSeq":f,"ack":n,"held":bool} or {"type":"error","firstSeq":f,"problem":{…}} (with "retryAfter": seconds when the database is away; a hello refused for that closes with 1013, a wrong token with 4401). An authorised socket that sends nothing for the idle limit is closed with 4408. Socket batches count against the same per-client-and-session limit as HTTP batches: past it a batch is answered {"type":"error","firstSeq":f,"retryAfter":s,"problem":{"type":"urn:veritas:problem:rate-limited",…}}; a client past its limit of open sockets is refused the upgrade with a 429 problem. Every batch is answered once, with an ack or an error naming its firstSeq (a batch before the hello, past 64 in flight or 256 waiting: rate-limited with retryAfter), so a client always knows which to send again.',
        params: SessionParams,
        response: problemResponses(429),
      },
    },
    (socket, req) => {
      const sessionId = (req.params as { id: string }).id;
      const countBatch = () => deps.rateLimiter.hit(ingestLimit.bucket, ingestKey(req.ip, sessionId), ingestLimit.max, ingestLimit.timeWindow);
      handleIngestSocket(socket, sessionId, req.routeOptions.config.access ?? 'writer', deps, req.log, countBatch);
    },
  );
};
