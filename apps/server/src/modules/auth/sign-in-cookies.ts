import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { AppError } from '../../kernel/errors';
import type { SignedIn } from './sign-in.service';
import { REFRESH_TOKEN_TTL_S } from './sign-in.service';
import { sameSecret } from './secret-tokens';

/** The refresh token: httpOnly, sent only to the routes that use it. */
export const REFRESH_COOKIE = 'veritas_refresh';
/** The double-submit CSRF token: readable by the web app, which echoes it in `X-CSRF-Token`. */
export const CSRF_COOKIE = 'veritas_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const REFRESH_PATH = '/v1/auth';

const base = (secure: boolean): CookieSerializeOptions => ({ secure, sameSite: 'strict', maxAge: REFRESH_TOKEN_TTL_S });

/**
 * A sign-in made by an LTI launch lives inside the LMS's frame, where the page is a cross-site
 * context: its cookies are SameSite=None, Secure (else the browser never sends them there) and
 * Partitioned (kept in the LMS site's cookie jar only, so browsers that block third-party cookies keep
 * them, and no other site that frames Veritas can make the browser send them). The CSRF double
 * submit still guards the refresh.
 */
const framed = (): CookieSerializeOptions => ({ secure: true, sameSite: 'none', partitioned: true, maxAge: REFRESH_TOKEN_TTL_S });

/** Sets the refresh and CSRF cookies of a sign-in (SameSite=Strict: a cross-site request carries neither; an LTI sign-in's: see `framed`). */
export function setSignInCookies(reply: FastifyReply, signedIn: SignedIn, { secure }: { secure: boolean }): void {
  const options = signedIn.authMethod === 'lti' ? framed() : base(secure);
  reply.setCookie(REFRESH_COOKIE, signedIn.refreshToken, { ...options, httpOnly: true, path: REFRESH_PATH });
  reply.setCookie(CSRF_COOKIE, signedIn.csrfToken, { ...options, httpOnly: false, path: '/' });
}

export function clearSignInCookies(reply: FastifyReply, { secure }: { secure: boolean } = { secure: true }): void {
  reply.clearCookie(REFRESH_COOKIE, { secure, sameSite: 'strict', httpOnly: true, path: REFRESH_PATH });
  reply.clearCookie(CSRF_COOKIE, { secure, sameSite: 'strict', path: '/' });
}

const LOOPBACK = /^(localhost|127(\.\d+){3}|\[?::1\]?|::ffff:127(\.\d+){3})$/;

/**
 * Whether the cookies carry `Secure`. Browsers store Secure cookies from https and from localhost /
 * 127.0.0.1 even over http, so they are Secure unless the server is reached over plain http at
 * another host: a public URL that says so, or (with none) a connection to a non-loopback address.
 */
export function cookieSecurity(req: FastifyRequest, publicUrl: string | undefined): { secure: boolean } {
  if (publicUrl) {
    const url = new URL(publicUrl);
    return { secure: url.protocol === 'https:' || LOOPBACK.test(url.hostname) };
  }
  const local = req.socket?.localAddress;
  const encrypted = (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  return { secure: encrypted || local === undefined || LOOPBACK.test(local) };
}

/**
 * The refresh token a request presents: in the body (a non-browser client; no CSRF question, as no
 * browser adds a body by itself) or in the cookie, which then needs `X-CSRF-Token` equal to the CSRF
 * cookie (double submit: another site can make the browser send the cookies, not read them).
 */
export function presentedRefreshToken(req: FastifyRequest, bodyToken: string | undefined): { token: string; from: 'body' | 'cookie' } | undefined {
  if (bodyToken !== undefined) return { token: bodyToken, from: 'body' };
  const cookie = req.cookies?.[REFRESH_COOKIE];
  if (!cookie) return undefined;
  const csrfCookie = req.cookies?.[CSRF_COOKIE];
  const header = req.headers[CSRF_HEADER];
  if (!csrfCookie || typeof header !== 'string' || !sameSecret(header, csrfCookie)) {
    throw new AppError('csrf-refused', `send the ${CSRF_COOKIE} cookie's value in the X-CSRF-Token header`);
  }
  return { token: cookie, from: 'cookie' };
}
