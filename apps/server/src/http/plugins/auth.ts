import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SessionId } from '@veritas/schema';
import {
  ANONYMOUS,
  actorIdentity,
  type Actor,
  type AnonymousActor,
  type ApiKeyActor,
  type SessionGrant,
  type SessionReader,
  type UserActor,
} from '../../kernel/actor';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, resolved by the auth plugin before any handler runs. */
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** The route takes a live ticket in `?ticket=` (a session's live stream: EventSource sends no headers). */
    liveTicket?: boolean;
    /** The route takes an exam's live ticket of this purpose in `?ticket=` (an exam's live view or alerts socket, modules/live). */
    examTicket?: 'exam-live' | 'alerts';
  }
}

/** Resolves the actor of a request about a session (its path names the id), given the token it sent, if any. */
export type ResolveActor = (sessionId: string, token: string | undefined) => Promise<Actor>;

/** How the auth plugin turns credentials into actors; each module that issues a credential resolves its own. */
export interface ActorResolvers {
  /** A capability request about a session: the write token (or none) makes its writer or reader. */
  session: ResolveActor;
  /** An access token (a JWT) or an API key: the person or key, or anonymous with the reason it did not hold. */
  bearer(credential: BearerCredential): Promise<UserActor | ApiKeyActor | AnonymousActor>;
  /** For a person or key on a session's route: whether that session is granted to them. */
  sessionGrant(actor: UserActor | ApiKeyActor, sessionId: string): Promise<SessionGrant>;
  /** A share link's token for a session: its reader, or undefined when the link does not hold. */
  shareLink(sessionId: string, token: string): Promise<SessionReader | undefined>;
  /** A live ticket for a session (on a route that takes one): who it was issued to, as they are now, or undefined when it does not hold. */
  liveTicket(sessionId: string, ticket: string): Promise<Actor | undefined>;
  /** An exam's live ticket (on a route that takes one, for its purpose): the person it was issued to, as they are now, or undefined. */
  examTicket(examId: string, purpose: 'exam-live' | 'alerts', ticket: string): Promise<UserActor | undefined>;
}

/** Resolvers for an app that takes no credential at all (the worker's probes): everyone is anonymous. */
export const NO_CREDENTIALS: ActorResolvers = {
  session: async () => ANONYMOUS,
  bearer: async () => ANONYMOUS,
  sessionGrant: async () => 'none',
  shareLink: async () => undefined,
  liveTicket: async () => undefined,
  examTicket: async () => undefined,
};

/** A bearer credential by its shape: an access token is a JWT, an API key starts with `vk_`; anything else is a write token. */
export type BearerCredential = { kind: 'access-token'; token: string } | { kind: 'api-key'; token: string };

// The signature may be empty: an unsigned (`alg: none`) token is still an access token, refused as invalid, never a write token.
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;
/** API keys are `vk_` and 43 base64url characters; write tokens are 43 characters, so the two never collide. */
export const API_KEY_SHAPE = /^vk_[\w-]{43}$/;

export function classifyBearer(token: string): BearerCredential | undefined {
  if (JWT_SHAPE.test(token)) return { kind: 'access-token', token };
  if (API_KEY_SHAPE.test(token)) return { kind: 'api-key', token };
  return undefined;
}

/** A share link's token, sent as `?share=` (a link someone opened) or in the X-Veritas-Share header. */
export function shareTokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-veritas-share'];
  if (typeof header === 'string' && header.length > 0 && header.length <= 128) return header;
  const query = (req.query as { share?: unknown } | undefined)?.share;
  return typeof query === 'string' && query.length > 0 && query.length <= 128 ? query : undefined;
}

/** Live tickets are 43 base64url characters (auth's randomToken). */
export const LIVE_TICKET_SHAPE = /^[\w-]{43}$/;

/** A live ticket, sent as `?ticket=`, on a route that takes one (and only there). */
export function liveTicketOf(req: FastifyRequest): string | undefined {
  if ((req.routeOptions.config as { liveTicket?: boolean } | undefined)?.liveTicket !== true) return undefined;
  const query = (req.query as { ticket?: unknown } | undefined)?.ticket;
  // Only what has a ticket's shape is looked up: anything else (an access token, junk) is no ticket,
  // and the route's schema refuses it once access has been decided without it.
  return typeof query === 'string' && LIVE_TICKET_SHAPE.test(query) ? query : undefined;
}

const EXAM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** An exam's live ticket, sent as `?ticket=` on a route that takes one, with the exam of its path and the route's purpose. */
export function examTicketOf(req: FastifyRequest): { examId: string; purpose: 'exam-live' | 'alerts'; ticket: string } | undefined {
  const purpose = (req.routeOptions.config as { examTicket?: 'exam-live' | 'alerts' } | undefined)?.examTicket;
  if (purpose === undefined) return undefined;
  const examId = (req.params as { examId?: unknown } | undefined)?.examId;
  const ticket = (req.query as { ticket?: unknown } | undefined)?.ticket;
  if (typeof examId !== 'string' || !EXAM_ID.test(examId) || typeof ticket !== 'string' || !LIVE_TICKET_SHAPE.test(ticket)) return undefined;
  return { examId, purpose, ticket };
}

/** The token of "Authorization: Bearer <token>", if any. */
export function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

const SESSION_ID = new RegExp(SessionId.pattern!);

/**
 * The session a request is about: the `:id` of its path, when it has the shape of a session id.
 * Auth runs before validation, so a malformed id (U+0000, 10 kB) never reaches the database here:
 * the caller stays anonymous and the route's access and schema answer it.
 */
export function sessionIdOf(req: FastifyRequest): string | undefined {
  const id = (req.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && SESSION_ID.test(id) ? id : undefined;
}

/** True when the path has an `:id` that cannot be a session id. */
export function hasMalformedSessionId(req: FastifyRequest): boolean {
  const id = (req.params as { id?: unknown } | undefined)?.id;
  return id !== undefined && sessionIdOf(req) === undefined;
}

/**
 * Sets `req.actor` on every request. A bearer shaped like an access token or an API key makes a person
 * or a key (with, on a session's route, whether that session is granted to them); otherwise, on a
 * session's route, a share link makes its reader, the write token its writer, and the session id
 * alone its reader (the id is the read capability of an anonymous public session); otherwise anonymous.
 * Runs before validation (preValidation), with the access hook right after it: a caller without the
 * right credential learns nothing from the shape of its request.
 */
export function installAuth(app: FastifyInstance, resolvers: ActorResolvers): void {
  app.decorateRequest('actor', null as never);
  app.addHook('preValidation', async (req, reply) => {
    req.actor = await resolveActor(req, resolvers);
    // Every later log line of the request (the handler's, the error handler's, "request completed")
    // names who made it, so an operator can follow one person's or key's requests. The reply keeps
    // the logger it was created with: it is given the same child.
    if (req.actor.kind !== 'anonymous') req.log = reply.log = req.log.child({ actor: actorForLog(req.actor) });
  });
}

/** Who, for the log: the audit's identity and, for people and keys, their tenant. Never a credential. */
function actorForLog(actor: Exclude<Actor, AnonymousActor>): { kind: string; id: string | null; tenantId?: string } {
  const { kind, id } = actorIdentity(actor);
  return actor.kind === 'user' || actor.kind === 'api-key' ? { kind, id, tenantId: actor.tenantId } : { kind, id };
}

async function resolveActor(req: FastifyRequest, resolvers: ActorResolvers): Promise<Actor> {
  const sessionId = sessionIdOf(req);
  const token = bearer(req);
  const credential = token === undefined ? undefined : classifyBearer(token);
  if (credential) {
    const actor = await resolvers.bearer(credential);
    if (actor.kind === 'anonymous' || sessionId === undefined) return actor;
    const sessionGrant = await resolvers.sessionGrant(actor, sessionId);
    if (sessionGrant === 'none') {
      // A public session's id is its read capability, whoever holds it: a signed-in person (whose web
      // app sends their token everywhere) reads the demo sessions like anyone else.
      const holder = await resolvers.session(sessionId, undefined);
      if (holder.kind === 'session-reader') return holder;
    }
    return { ...actor, sessionGrant };
  }
  if (sessionId === undefined) {
    const exam = token === undefined ? examTicketOf(req) : undefined;
    if (exam === undefined) return ANONYMOUS;
    // A ticket that does not hold (unknown, tampered, expired, another exam's or another purpose's) is a refused credential.
    return (await resolvers.examTicket(exam.examId, exam.purpose, exam.ticket)) ?? { kind: 'anonymous', refused: 'invalid-credential' };
  }
  const ticket = token === undefined ? liveTicketOf(req) : undefined;
  if (ticket !== undefined) return ticketHolder(resolvers, sessionId, ticket);
  const share = shareTokenOf(req);
  if (share !== undefined && token === undefined) {
    const reader = await resolvers.shareLink(sessionId, share);
    if (reader) return reader;
  }
  return resolvers.session(sessionId, token);
}

/**
 * A live ticket's holder: the person or key it was issued to (with the session's grant worked out
 * now) or the reader. A ticket that does not hold (unknown, tampered, expired, another session's) is
 * a refused credential (401), whatever the session.
 */
async function ticketHolder(resolvers: ActorResolvers, sessionId: string, ticket: string): Promise<Actor> {
  const holder = await resolvers.liveTicket(sessionId, ticket);
  if (holder?.kind === 'user' || holder?.kind === 'api-key') return { ...holder, sessionGrant: await resolvers.sessionGrant(holder, sessionId) };
  return holder ?? { kind: 'anonymous', refused: 'invalid-credential' };
}
