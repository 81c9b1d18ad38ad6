import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SessionId } from '@veritas/schema';
import { ANONYMOUS, type Actor } from '../../kernel/actor';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling, resolved by the auth plugin before any handler runs. */
    actor: Actor;
  }
}

/** Resolves the actor of a request about a session (its path names the id), given the token it sent, if any. */
export type ResolveActor = (sessionId: string, token: string | undefined) => Promise<Actor>;

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
 * Sets `req.actor` on every request: the write token (Authorization: Bearer) makes the session's
 * writer, the session id in the path its reader (the id is the read capability); otherwise anonymous.
 * Runs before validation (preValidation), with the access hook right after it: a caller without the
 * right credential learns nothing from the shape of its request.
 */
export function installAuth(app: FastifyInstance, resolve: ResolveActor): void {
  app.decorateRequest('actor', null as never);
  app.addHook('preValidation', async (req) => {
    const sessionId = sessionIdOf(req);
    req.actor = sessionId === undefined ? ANONYMOUS : await resolve(sessionId, bearer(req));
  });
}
