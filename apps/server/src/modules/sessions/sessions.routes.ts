import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Bundle, Seq, Sealing, SessionKind, SessionMeta } from '@veritas/schema';
import {
  AnalysisSettings,
  EventsPage,
  SessionData,
  problemResponses,
  scopeOf,
  SessionParams,
  SessionView,
  writerOf,
  IdempotencyHeaders,
} from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { baseUrl, presentSession } from './sessions.presenter';
import { auditedRead, callerOf } from './session-audit';
import { ownerOf } from './session-owner';

/** Sessions: create (a person's or key's in their tenant; anonymous when allowed), read, page through events, end, export the bundle, delete. */
export const sessionsRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  app.post(
    '/v1/sessions',
    {
      config: { idempotent: true, access: 'public', rateLimit: { max: config.rateLimit.anonymousPerMinute, timeWindow: 60_000 } },
      schema: {
        tags: ['sessions'],
        summary: 'Create a session',
        description:
          'Created by a signed-in person or an API key (with `sessions:write`), the session belongs to them and to their institution: people it is granted to read it, its id alone does not. ' +
          'Anonymous when the server allows public sessions: the unguessable id is then the read capability. Returns the write token (write capability) either way. ' +
          '`sealing: "server"` declares a client that cannot hash: its batches carry firstSeq and events only, and the server chains them (the bundle marks those batches sealedBy server; only client-sealed batches carry the client\'s own tamper evidence). ' +
          'The body cannot set the tenant, the owner, the status or anything the analysis decides: unknown fields are refused.',
        body: Type.Object(
          { kind: SessionKind, meta: Type.Optional(SessionMeta), analysis: Type.Optional(AnalysisSettings), sealing: Type.Optional(Sealing) },
          { additionalProperties: false },
        ),
        headers: IdempotencyHeaders,
        response: { 201: Type.Composite([SessionView, Type.Object({ writeToken: Type.String() })]), ...problemResponses(400, 403, 409, 422, 429, 503) },
      },
    },
    async (req, reply) => {
      const { kind, meta, analysis, sealing } = req.body;
      const owner = ownerOf(req.actor);
      const { session, writeToken } = await services.sessions.create(
        scopeOf(req),
        { kind, ...(meta ? { meta } : {}), ...(analysis ? { analysis } : {}), ...(owner ? { owner } : {}), ...(sealing ? { sealing } : {}) },
        callerOf(req),
      );
      return reply.code(201).send({ ...presentSession(session, baseUrl(req, config.publicUrl)), writeToken });
    },
  );

  app.get(
    '/v1/sessions/:id',
    {
      config: { access: 'reader' },
      schema: { tags: ['sessions'], summary: 'Read a session', params: SessionParams, response: { 200: SessionView, ...problemResponses(400, 404, 503) } },
    },
    async (req) => presentSession(await services.sessions.get(scopeOf(req), req.params.id), baseUrl(req, config.publicUrl)),
  );

  app.get(
    '/v1/sessions/:id/events',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'Page through stored events',
        params: SessionParams,
        querystring: Type.Object({
          after: Type.Integer({ minimum: -1, maximum: Seq.maximum!, default: -1, description: 'Return events with seq greater than this' }),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
        }),
        response: { 200: EventsPage, ...problemResponses(400, 404, 503) },
      },
      // The page asked for, by name: never the whole query string, which may carry a share token.
      preHandler: auditedRead(services.audit, 'session.events.read', (req) => {
        const { after, limit } = req.query as { after: number; limit: number };
        return { after, limit };
      }),
    },
    async (req) => {
      const items = await services.sessions.events(scopeOf(req), req.params.id, req.query.after, req.query.limit);
      return { items, next: items.length === req.query.limit ? items[items.length - 1]!.seq : null };
    },
  );

  app.post(
    '/v1/sessions/:id/end',
    {
      config: { access: 'writer' },
      schema: {
        tags: ['sessions'],
        summary: 'End a session',
        description: 'Needs the write token. Ending twice is harmless. Batches after the end are refused.',
        params: SessionParams,
        security: [{ writeToken: [] }],
        response: { 200: SessionView, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req) => {
      return presentSession(await services.sessions.end(writerOf(req).scope, req.params.id, callerOf(req)), baseUrl(req, config.publicUrl));
    },
  );

  app.get(
    '/v1/sessions/:id/bundle',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: 'Export the session as a v1 bundle',
        description: 'The bundle keeps the batches, so anyone can re-check the chain offline (`veritas verify`).',
        params: SessionParams,
        response: { 200: Bundle, ...problemResponses(400, 404, 503) },
      },
      preHandler: auditedRead(services.audit, 'session.export'),
    },
    async (req, reply) => {
      // An ended session's bundle is stored once and read from the blob store (ADR 0030); an active one's is read as it grows.
      const scope = scopeOf(req);
      const stored = await services.downloads.endedBundle(scope, req.params.id);
      if (stored) {
        const blob = await services.downloads.open(stored, () => services.downloads.rawFile(scope, req.params.id, 'bundle'));
        return reply
          .type('application/json')
          .header('content-length', String(blob.size))
          .send(blob.body as never);
      }
      const chunks = await services.sessions.bundleJson(scope, req.params.id);
      // Streamed as it is read, a page of events at a time: a long session is never built whole in memory.
      return reply.type('application/json').send(Readable.from(chunks) as never);
    },
  );

  app.get(
    '/v1/sessions/:id/data',
    {
      config: { access: 'reader' },
      schema: {
        tags: ['sessions'],
        summary: "An ended session's raw data, as JSON or CSV",
        description:
          'Everything stored, in one streamed response, for people who want their recording in a spreadsheet or a script. JSON: the session and every event (seq, t, type, data). ' +
          '`?format=csv`: a sensor session gives one row per sample (seq, sensor, t, x, y, z, v4…v7), any other one row per event (seq, t, type, data as JSON); RFC 4180, ' +
          'a text cell starting with = + - @ is prefixed with a quote. The bundle (`/bundle`) is the verifiable form; this one is for reading. 409 session-not-ended while it is active.',
        params: SessionParams,
        querystring: Type.Object({ format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }) }),
        produces: ['application/json', 'text/csv'],
        response: {
          200: {
            description: 'The session and its events (JSON) or its rows (CSV)',
            content: { 'application/json': { schema: SessionData }, 'text/csv': { schema: Type.String({ description: 'RFC 4180, formula-safe' }) } },
          },
          ...problemResponses(400, 404, 409, 503),
        },
      },
      preHandler: auditedRead(services.audit, 'session.data.export', (req) => ({ format: (req.query as { format: string }).format })),
    },
    async (req, reply) => {
      const { format } = req.query;
      // Made once from the ended session and stored (ADR 0030); later downloads read the stored file.
      const scope = scopeOf(req);
      const file = await services.downloads.rawFile(scope, req.params.id, format);
      const blob = await services.downloads.open(file, () => services.downloads.rawFile(scope, req.params.id, format));
      reply.header('content-disposition', `attachment; filename="${file.fileName}"`).header('cache-control', 'no-store');
      return reply
        .type(file.contentType)
        .header('content-length', String(blob.size))
        .send(blob.body as never);
    },
  );

  app.delete(
    '/v1/sessions/:id',
    {
      config: { access: ['reader', 'sessions:delete'] },
      schema: {
        tags: ['sessions'],
        summary: 'Delete a session',
        description:
          "Deletes the session and everything of it: events, batches, analysis, alerts and share links. For an admin of the session's institution, or a teacher it is granted to; recorded in the audit with its event count.",
        params: SessionParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req, reply) => {
      const scope = scopeOf(req);
      await services.sessions.delete(scope, req.params.id, callerOf(req));
      // Its stored files (bundle, exports, reports) go after the rows: nothing can make them again now.
      await services.downloads.forget(scope.tenantId, req.params.id);
      return reply.code(204).send(null);
    },
  );
};
