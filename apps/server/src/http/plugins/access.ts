import type { FastifyInstance } from 'fastify';

/**
 * Who may call a route. Every route declares it in `config.access`; the server refuses to start
 * with a route that does not, so no route is open by accident.
 * - anyone: health, metrics, docs, the web app
 * - public: anonymous callers, rate limited (session creation, bundle upload)
 * - reader: whoever holds the session id (an unguessable read capability) within its tenant scope
 * - writer: the holder of the session's write token
 */
export type Access = 'anyone' | 'public' | 'reader' | 'writer';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with its declared access, for tests and audits. */
    routeAccess: { method: string; url: string; access: Access | undefined }[];
  }
}

export function requireAccessDeclarations(app: FastifyInstance): void {
  const routes: FastifyInstance['routeAccess'] = [];
  app.decorate('routeAccess', routes);
  app.addHook('onRoute', (route) => {
    const config = route.config as { access?: Access; file?: string } | undefined;
    // @fastify/static's routes (the built web app's files) carry their file and no other config: public.
    const access = config?.access ?? (config?.file ? 'anyone' : undefined);
    // The docs plugin's own routes are the only ones we do not write; they are public documentation.
    if (!access && !route.url.startsWith('/docs') && route.method !== 'HEAD') {
      throw new Error(`route ${String(route.method)} ${route.url} does not declare config.access`);
    }
    routes.push({ method: String(route.method), url: route.url, access });
  });
}
