import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { decide, type Access } from '../../kernel/policy';
import { hasMalformedSessionId, sessionIdOf } from './auth';

export type { Access } from '../../kernel/policy';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (kernel/policy.ts); a list means every entry must pass (e.g. reader and an action). */
    access?: Access | readonly Access[];
  }
  interface FastifyInstance {
    /** Every route with its declared access, for tests and audits. */
    routeAccess: { method: string; url: string; access: readonly Access[] | undefined }[];
  }
}

/** A refusal by the access hook (not by a handler): a route's onError can tell it from its own errors. */
export class AccessRefusal extends AppError {}

/** Checks an actor against a declared access (kernel/policy.ts); throws the refusal. */
export function enforceAccess(actor: Actor, access: Access, sessionId: string | undefined, publicSessions: boolean): void {
  const d = decide(actor, access, { ...(sessionId !== undefined ? { sessionId } : {}), publicSessions });
  if (!d.allowed) throw new AccessRefusal(d.code, d.detail);
}

type RouteConfig = { access?: Access | readonly Access[]; file?: string } | undefined;

/** The access a route declared, as a list, with @fastify/static's file routes (the built web app) public. */
function declaredAccess(config: RouteConfig): readonly Access[] | undefined {
  const access = config?.access ?? (config?.file ? 'anyone' : undefined);
  if (access === undefined) return undefined;
  return typeof access === 'string' ? [access] : access;
}

/**
 * Every route declares who may call it in `config.access`; the server refuses to start with a route
 * that does not, so no route is open by accident. A hook after the auth plugin then enforces the
 * declaration on every request, before the handler runs: handlers never check credentials.
 * A WebSocket's credential comes in its hello, after the upgrade: the socket checks it with
 * `enforceAccess` and the same declaration (see modules/ingest/ingest.socket.ts).
 */
export function installAccess(app: FastifyInstance, options: { publicSessions: boolean }): void {
  const routes: FastifyInstance['routeAccess'] = [];
  app.decorate('routeAccess', routes);
  app.addHook('onRoute', (route) => {
    const access = declaredAccess(route.config as RouteConfig);
    // The docs plugin's own routes are the only ones we do not write; they are public documentation.
    if (!access && !route.url.startsWith('/docs') && route.method !== 'HEAD') {
      throw new Error(`route ${String(route.method)} ${route.url} does not declare config.access`);
    }
    routes.push({ method: String(route.method), url: route.url, access });
  });
  app.addHook('preValidation', async (req: FastifyRequest) => {
    const access = declaredAccess(req.routeOptions.config as RouteConfig);
    if (!access) return; // the docs plugin's pages, and the not-found handler
    if ((req as { ws?: boolean }).ws) return; // a WebSocket upgrade: checked at the hello
    // A path id that is not shaped like a session id names no session: its schema answers 400
    // (the shape of an id is no secret), and nothing about it reaches the database.
    if (hasMalformedSessionId(req)) return;
    for (const a of access) enforceAccess(req.actor, a, sessionIdOf(req), options.publicSessions);
  });
}
