import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../kernel/errors';
import { contextOf, problemResponses } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { LoginBody, RefreshBody, SignInAnswer } from './auth.schemas';
import { createLoginThrottle } from './login-throttle';
import { clearSignInCookies, cookieSecurity, CSRF_COOKIE, presentedRefreshToken, REFRESH_COOKIE } from './sign-in-cookies';
import { signInAnswer, withRetryAfter } from './sign-in.answer';

const COOKIES =
  `Browsers: the refresh token travels in the httpOnly cookie \`${REFRESH_COOKIE}\` (Path=/v1/auth, SameSite=Strict) and the request must carry ` +
  `\`X-CSRF-Token\` equal to the \`${CSRF_COOKIE}\` cookie (else 403 csrf-refused). Other clients send \`{"refreshToken": …}\` in the body and need no CSRF token.`;

/** Sign-in with a password, refresh-token rotation, sign-out, and the public keys that verify access tokens. */
export const authRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  const { services, config } = deps;
  const throttle = createLoginThrottle(deps.rateLimiter);
  // Browsers refresh and sign out with no body at all (the cookie is the credential): validate that as `{}`.
  const noBodyIsEmpty = async (req: FastifyRequest) => {
    if (req.body === undefined) req.body = {};
  };

  app.post(
    '/v1/auth/login',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email and password',
        description:
          'An unknown address, a wrong password and a disabled account all answer 401 invalid-login, in the same time. ' +
          'Failures are limited per account and per client address (429 with Retry-After). ' +
          'The refresh token is set as a cookie (with a CSRF cookie) unless `tokenDelivery` is `body`.',
        body: LoginBody,
        response: { 200: SignInAnswer, ...problemResponses(400, 401, 429, 503) },
      },
    },
    async (req, reply) => {
      const { email, password, tokenDelivery = 'cookie' } = req.body;
      const signedIn = await services.auth.login({ email, password }, contextOf(req), throttle).catch((err) => withRetryAfter(reply, err));
      return signInAnswer(deps, req, reply, signedIn, tokenDelivery);
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      config: { access: 'anyone' },
      preValidation: noBodyIsEmpty,
      schema: {
        tags: ['auth'],
        summary: 'Exchange a refresh token for a new access token (and a new refresh token)',
        description:
          `Each refresh token works once: the answer carries its successor. Presenting a spent one revokes the whole sign-in (401 refresh-reused); ` +
          `a revoked or expired one answers 401 invalid-credential. The new access token carries the person's current role. ${COOKIES}`,
        body: RefreshBody,
        response: { 200: SignInAnswer, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req, reply) => {
      const presented = presentedRefreshToken(req, req.body.refreshToken);
      if (!presented) {
        throw new AppError('invalid-credential', 'no refresh token: send it in the body, or sign in again');
      }
      const signedIn = await services.auth.refresh(presented.token, contextOf(req)).catch((err) => {
        if (presented.from === 'cookie') clearSignInCookies(reply, cookieSecurity(req, config.publicUrl));
        throw err;
      });
      return signInAnswer(deps, req, reply, signedIn, presented.from);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { access: 'anyone' },
      preValidation: noBodyIsEmpty,
      schema: {
        tags: ['auth'],
        summary: 'Sign out: revoke this sign-in’s refresh tokens and clear the cookies',
        description: `Access tokens already issued stay valid until they expire (15 minutes at most). ${COOKIES}`,
        body: RefreshBody,
        response: { 204: Type.Null(), ...problemResponses(400, 403, 503) },
      },
    },
    async (req, reply) => {
      const presented = presentedRefreshToken(req, req.body.refreshToken);
      if (presented) await services.auth.logout(presented.token, contextOf(req));
      clearSignInCookies(reply, cookieSecurity(req, config.publicUrl));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['auth'],
        summary: 'The public keys that verify access tokens and certificates (JWKS)',
        description:
          'Access-token keys have UUID kids and verify only access tokens; certificate keys have kids starting `cert-` and verify only certificates (ADR 0016). Certificate keys stay here for ever, retired ones included.',
        response: {
          200: Type.Object({ keys: Type.Array(Type.Object({ kid: Type.Optional(Type.String()) }, { additionalProperties: true })) }),
          ...problemResponses(503),
        },
      },
    },
    async (_req, reply) => {
      // Short caching: a rotated key appears within a minute, and retired keys stay published until their tokens expire.
      reply.header('cache-control', 'public, max-age=60');
      const [tokens, certificates] = await Promise.all([services.accessTokens.jwks(), services.certificates.keys.jwks()]);
      return { keys: [...tokens.keys, ...certificates.keys] };
    },
  );
};
