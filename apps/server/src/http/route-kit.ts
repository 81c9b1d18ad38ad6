import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { Bundle, EventEnvelope, SessionId, SessionKind, SessionMeta, AnalysisSettings } from '@veritas/schema';
import { Sealing } from '@veritas/schema';
import type { SessionWriter, UserActor } from '../kernel/actor';
import { PUBLIC_SCOPE, type Scope } from '../kernel/scope';

/**
 * What a module's routes take from the HTTP shell: shapes shared by several routes' responses
 * (request and event shapes come from @veritas/schema) and the request's actor. A leaf: it imports
 * no module, so modules may import it while the shell imports the modules.
 */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'Stable identifier: urn:veritas:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const problemResponses = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { ...Type.Ref(Problem), description: 'application/problem+json' }]));

/** The header, declared on each idempotent route's schema (OpenAPI documents it; http/plugins/idempotency.ts reads it). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 257,
      description:
        'A unique value per create (a UUID): a retry with the same key and the same body gets the first answer (with `Idempotent-Replayed: true`) instead of creating again, for 24 hours. The same key with a different body is refused (422 idempotency-key-reused); while the first request runs, 409 idempotency-in-flight.',
    }),
  ),
});

export const SessionParams = Type.Object({ id: SessionId });

/** How this session is analysed (the exam's thresholds, host signals, accommodations): one definition, in @veritas/schema. */
export { AnalysisSettings };

export const SessionView = Type.Object({
  id: SessionId,
  kind: SessionKind,
  status: Type.Union([Type.Literal('active'), Type.Literal('ended')]),
  source: Type.String({ description: 'live, upload or demo' }),
  createdAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Optional(Type.String({ format: 'date-time' })),
  ack: Type.Integer({ description: 'Highest contiguous seq stored durably (-1: none)' }),
  eventCount: Type.Integer(),
  lastT: Type.Number({ description: 't of the last stored event' }),
  meta: SessionMeta,
  analysis: AnalysisSettings,
  sealing: Type.Optional(Sealing),
  links: Type.Object({
    view: Type.String(),
    events: Type.String(),
    bundle: Type.String(),
    ingest: Type.String({ description: 'WebSocket URL for high-frequency streams' }),
  }),
});

export const EventsPage = Type.Object({
  items: Type.Array(EventEnvelope),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as `after` for the next page; null at the end' }),
});

/** An ended session's raw data (GET /v1/sessions/{id}/data): the bundle's session and the events, without the chain. */
export const SessionData = Type.Object({
  session: Bundle.properties.session,
  events: Type.Array(EventEnvelope),
});

export const IngestAnswer = Type.Object({
  ack: Type.Integer({ description: 'Highest contiguous seq stored durably (-1: none)' }),
  held: Type.Boolean({ description: 'The batch is ahead of a gap and waits durably for it' }),
  duplicate: Type.Boolean({ description: 'The batch was already stored; nothing changed' }),
});

/**
 * The base of the links in answers: the configured public URL, else the address the connection
 * arrived at (the listening address). Never the request's Host header, which the client chooses.
 */
export function linkBase(req: FastifyRequest, publicUrl?: string): string {
  if (publicUrl) return publicUrl.replace(/\/$/, '');
  const listening = req.server.server.address();
  const address = req.socket?.localAddress ?? (typeof listening === 'object' && listening ? listening.address : undefined) ?? '127.0.0.1';
  const port = req.socket?.localPort ?? (typeof listening === 'object' && listening ? listening.port : undefined);
  const host = address.replace(/^::ffff:/, '');
  return `http://${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`;
}

/** The scope a request acts in: its actor's (the public scope for anonymous callers and readers). */
export function scopeOf(req: FastifyRequest): Scope {
  return req.actor.kind === 'anonymous' ? PUBLIC_SCOPE : req.actor.scope;
}

/** Where a request came from, for the audit: the client's address and the request id. */
export function contextOf(req: FastifyRequest): { ip: string | null; requestId: string | null } {
  return { ip: req.ip ?? null, requestId: req.id ?? null };
}

/** The person of a route whose access only people pass (`signed-in` or a role action). */
export function userOf(req: FastifyRequest): UserActor {
  if (req.actor.kind !== 'user') throw new Error(`route ${req.routeOptions.url ?? req.url} reached its handler without a signed-in person; check its access`);
  return req.actor;
}

/**
 * The writer of a route declared `access: 'writer'`: the access hook let the request through only
 * with one, so anything else is a bug in the route's declaration, not a refusal to answer.
 */
export function writerOf(req: FastifyRequest): SessionWriter {
  if (req.actor.kind !== 'session-writer')
    throw new Error(`route ${req.routeOptions.url ?? req.url} reached its handler without a writer; is it declared access: 'writer'?`);
  return req.actor;
}

export { AccessRefusal } from './plugins/access';
export { problemFor } from './plugins/problems';
export { parseJsonBody } from './json-body';
