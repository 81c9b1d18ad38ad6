import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyCors, { type FastifyCorsOptions } from '@fastify/cors';
import { SessionId } from '@veritas/schema';
import type { Config } from '../../config/config';

/**
 * Cross-origin use of the recorder's routes (@fastify/cors, decided per request): a page on another
 * site may create a public session, send its batches and end it when its origin is allowed, by the
 * server-wide list (VERITAS_CORS_ORIGINS) for public sessions and by the session's tenant's own list
 * for a tenant's session. No other route ever answers a cross-origin request, and no answer allows
 * credentials: the recorder carries its write token in `Authorization`, never in a cookie.
 */
export interface CorsDeps {
  /** Origins allowed for public sessions (creating one, uploading a bundle, writing one). */
  publicOrigins: Config['corsOrigins'];
  /** The tenant of a session (null: public), undefined when there is none. */
  tenantOfSession(sessionId: string): Promise<string | null | undefined>;
  /** The origins a tenant allows for its sessions. */
  tenantOrigins(tenantId: string): Promise<readonly string[]>;
}

/** The recorder's routes: what a page on another origin may call, and whose list decides. */
const RECORDER_ROUTES: { method: string; path: RegExp; decidedBy: 'public' | 'session' }[] = [
  { method: 'POST', path: /^\/v1\/sessions$/, decidedBy: 'public' },
  { method: 'POST', path: /^\/v1\/bundles$/, decidedBy: 'public' },
  { method: 'POST', path: /^\/v1\/sessions\/([^/]+)\/(?:events|end)$/, decidedBy: 'session' },
];

const SESSION_ID = new RegExp(SessionId.pattern!);

/** What a cross-origin answer allows: the recorder's headers in, Retry-After and the request id out. */
const ALLOWED = {
  methods: ['POST'],
  allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'content-encoding'],
  exposedHeaders: ['idempotent-replayed', 'retry-after', 'x-request-id'],
  credentials: false,
  maxAge: 600,
} satisfies FastifyCorsOptions;

const REFUSED: FastifyCorsOptions = { origin: false };

/** The allowed origins for a request to one of the recorder's routes (for a preflight, the method it announces). */
async function allowedOrigins(req: FastifyRequest, deps: CorsDeps): Promise<Config['corsOrigins'] | undefined> {
  const announced = req.headers['access-control-request-method'];
  const method = req.method === 'OPTIONS' && typeof announced === 'string' ? announced.toUpperCase() : req.method;
  const path = req.url.split('?')[0] ?? '';
  for (const route of RECORDER_ROUTES) {
    if (route.method !== method) continue;
    const m = route.path.exec(path);
    if (!m) continue;
    if (route.decidedBy === 'public') return deps.publicOrigins;
    const id = decodeURIComponent(m[1] ?? '');
    if (!SESSION_ID.test(id)) return undefined;
    const tenant = await deps.tenantOfSession(id);
    if (tenant === undefined) return undefined;
    return tenant === null ? deps.publicOrigins : [...(await deps.tenantOrigins(tenant))];
  }
  return undefined;
}

export async function installCors(app: FastifyInstance, deps: CorsDeps): Promise<void> {
  // @fastify/cors answers preflights from its hook and adds a catch-all OPTIONS route that only
  // answers 404 (a refused preflight): it is declared open like every route must be (http/plugins/access.ts).
  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' && route.url === '*') route.config = { ...(route.config ?? {}), access: 'anyone' };
  });
  await app.register(fastifyCors, {
    hook: 'onRequest',
    delegator: async (req: FastifyRequest): Promise<FastifyCorsOptions> => {
      const origin = req.headers.origin;
      if (typeof origin !== 'string' || origin === 'null') return REFUSED;
      let allowed: Config['corsOrigins'] | undefined;
      try {
        allowed = await allowedOrigins(req, deps);
      } catch (err) {
        // A malformed escape in the path names no session; anything else (the database away) is the route's to answer.
        if (err instanceof URIError) return REFUSED;
        throw err;
      }
      if (allowed === '*') return { ...ALLOWED, origin: '*' };
      if (allowed?.includes(origin)) return { ...ALLOWED, origin };
      return REFUSED;
    },
  });
}
