import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/actor';

/**
 * Whether a page of `origin` may open an exam's alerts socket: a browser sends its page's origin with
 * every WebSocket upgrade, and a socket (unlike fetch) is not held back by CORS, so the server checks
 * it itself. Allowed: the server's own origin (the host the browser reached, or the configured public
 * URL) and the tenant's CORS origins (where it embeds Veritas). A client that sends no Origin is no
 * browser, so no other site's page can be acting through it; it still needs its ticket or token.
 */
export async function isAllowedOrigin(
  origin: string,
  req: FastifyRequest,
  publicUrl: string | undefined,
  actor: Actor,
  tenants: { corsOriginsOf(tenantId: string): Promise<readonly string[]> },
): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === 'null' || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  if (publicUrl !== undefined && safeOrigin(publicUrl) === url.origin) return true;
  if (typeof req.headers.host === 'string' && url.host === req.headers.host.toLowerCase()) return true;
  if (actor.kind !== 'user') return false;
  return (await tenants.corsOriginsOf(actor.tenantId)).includes(url.origin);
}

function safeOrigin(u: string): string | undefined {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
}
