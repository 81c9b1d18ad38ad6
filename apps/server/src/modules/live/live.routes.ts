import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Seq } from '@veritas/schema';
import { problemResponses, scopeOf, SessionParams } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { auditedRead } from '../sessions';
import type { StreamSink } from './live-stream';
import { LIVE_TICKET_TTL_S } from './live-tickets.service';

const LiveTicket = Type.Object({
  ticket: Type.String({ description: 'Send as `?ticket=` to GET /v1/sessions/{id}/live, within its lifetime. Shown once.' }),
  expiresAt: Type.String({ format: 'date-time' }),
  url: Type.String({ description: 'The live stream’s path with the ticket' }),
});

/**
 * A session's live stream (Server-Sent Events of its committed events, resumable by seq) and the
 * tickets that open it from a browser, whose EventSource cannot send an Authorization header.
 */
export const liveRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  // Open streams would hold the server open: they end first, and their viewers resume elsewhere.
  app.addHook('preClose', async () => services.liveStreams.closeAll());
  app.post(
    '/v1/sessions/:id/live-tickets',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'Get a ticket for the live stream',
        description: `A single-purpose ticket, valid ${LIVE_TICKET_TTL_S} s, that opens this session's live stream for whoever asked (the same readers as its events) and nothing else. It is not a bearer token; an access token is never accepted in its place.`,
        params: SessionParams,
        response: { 201: LiveTicket, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      await services.sessions.get(scopeOf(req), id);
      const { ticket, expiresAt } = await services.liveStreams.tickets.issue(req.actor, id);
      return reply.code(201).send({ ticket, expiresAt: expiresAt.toISOString(), url: `/v1/sessions/${id}/live?ticket=${ticket}` });
    },
  );

  app.get(
    '/v1/sessions/:id/live',
    {
      config: { access: 'reader', liveTicket: true },
      schema: {
        tags: ['sessions'],
        summary: 'Watch a session live (Server-Sent Events)',
        description:
          'The committed events after `after` (or the `Last-Event-ID` header, which wins), then each batch as it is committed; each message’s `id` is the event’s seq, its `data` the event. ' +
          'Reconnecting with the last id received gets exactly what was missed. Comment lines keep the connection alive; an `end` event closes it when the session ends. ' +
          'A viewer that falls too far behind is disconnected and resumes from its last id. From a browser, open it with a ticket (`?ticket=`, POST …/live-tickets).',
        params: SessionParams,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^(-1|0|[1-9][0-9]{0,9})$', description: 'The last seq received' })) }),
        querystring: Type.Object({
          after: Type.Optional(Type.Integer({ minimum: -1, maximum: Seq.maximum!, description: 'Send events with seq greater than this (default: all)' })),
          ticket: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'A live ticket (POST /v1/sessions/{id}/live-tickets)' })),
        }),
        response: {
          200: { description: 'Server-Sent Events', content: { 'text/event-stream': { schema: Type.String() } } },
          ...problemResponses(400, 401, 404, 503),
        },
      },
      preHandler: auditedRead(services.audit, 'session.live.read', (req) => ({
        after: afterOf(req.headers['last-event-id'], (req.query as { after?: number }).after),
      })),
    },
    async (req, reply) => {
      const id = req.params.id;
      const scope = scopeOf(req);
      const after = afterOf(req.headers['last-event-id'], req.query.after);
      // Unknown here answers as a problem, before any stream starts.
      await services.sessions.get(scope, id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
        'x-request-id': req.id,
      });
      const sink: StreamSink = {
        write: (chunk) => res.write(chunk),
        get writableLength() {
          return res.writableLength;
        },
        end: (abort) => (abort ? res.destroy() : res.end()),
        onClose: (listener) => res.once('close', listener),
      };
      try {
        await services.liveStreams.open(sink, { scope, sessionId: id, actor: req.actor, after });
      } catch (err) {
        req.log.warn({ err, sessionId: id }, 'a live stream could not start');
        res.destroy();
      }
    },
  );
};

function afterOf(lastEventId: unknown, after: number | undefined): number {
  if (typeof lastEventId === 'string' && lastEventId.length > 0) return Number(lastEventId);
  return after ?? -1;
}
