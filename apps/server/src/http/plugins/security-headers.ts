import type { FastifyInstance } from 'fastify';
import fastifyHelmet from '@fastify/helmet';

/**
 * Security headers on every answer (@fastify/helmet): a CSP the web app and /docs work with
 * (scripts and styles from this origin; the web app's WebSocket and fetches to this origin), nosniff,
 * frames refused, no referrer. HSTS and upgrade-insecure-requests only when the server is reached
 * over TLS (the public URL is https): on plain HTTP they would break the page or pin nothing.
 */
export async function installSecurityHeaders(app: FastifyInstance, { tls }: { tls: boolean }): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': tls ? [] : null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: tls ? { maxAge: 15_552_000, includeSubDomains: true } : false,
  });
}

/**
 * swagger-ui's own CSP for /docs (its scripts by hash), with two changes: its bundle sets inline
 * styles, which hashes cannot allow (style-src gets 'unsafe-inline', without hashes that would void
 * it), and no HTTPS upgrade on plain HTTP.
 */
export function docsCsp(tls: boolean): (header: string) => string {
  return (header) => {
    const styled = header.replace(/style-src [^;]*/, "style-src 'self' https: 'unsafe-inline'");
    return tls ? styled : styled.replace(/\s*upgrade-insecure-requests;?/, '');
  };
}

/** Whether the server is reached over TLS, as far as it knows: its public URL says https. */
export const behindTls = (publicUrl: string | undefined): boolean => publicUrl?.startsWith('https://') ?? false;

/** A client's x-request-id is kept only when it is short and of a safe charset; otherwise one is made. */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
