import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { contextOf, linkBase, problemResponses } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { cookieSecurity, setSignInCookies } from '../auth';
import { CALLBACK_PATH, presentInfo } from './sso.presenter';
import { CallbackQuery, SsoInfo, StartQuery, TenantParams } from './sso.schemas';

const Redirect = (description: string) => Type.Null({ description });

/** Signing in with an institution's OpenID Connect provider: the authorization code flow with PKCE. */
export const ssoSignInRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const flow = services.sso.flow;
  const base = (req: FastifyRequest) => linkBase(req, config.publicUrl);
  // Each start stores a sign-in in flight: anonymous callers are limited like the other anonymous writes.
  const rateLimit = { max: config.rateLimit.anonymousPerMinute, timeWindow: 60_000 };

  // Registered before /:tenant so it is never read as an institution's slug (a static path wins in the router anyway).
  app.get(
    CALLBACK_PATH,
    {
      // No automatic HEAD twin: a HEAD request would spend the sign-in's single-use state.
      exposeHeadRoute: false,
      config: { access: 'anyone', rateLimit },
      schema: {
        tags: ['sso'],
        summary: 'Where the provider sends the browser back (the redirect URI)',
        description:
          'Takes the sign-in its `state` names (once; 10 minutes), exchanges the code with the PKCE verifier and checks the ID token ' +
          '(issuer, audience, nonce, signature). The person is the account of the institution the sign-in started for that is linked to ' +
          'their subject, or has the address the provider verified (then linked), or a new student when the institution allows it. ' +
          'Then the sign-in cookies are set and the browser goes to `returnTo`, where the web app calls POST /v1/auth/refresh. ' +
          'Refusals are problems a person can read: unknown or used state (400 sso-state-invalid), an answer that does not hold ' +
          '(400 sso-refused), no account (403 sso-no-account), a disabled account (403 account-disabled).',
        querystring: CallbackQuery,
        response: { 302: Redirect('To returnTo, signed in (cookies set)'), ...problemResponses(400, 403, 404, 429, 502, 503) },
      },
    },
    async (req, reply) => {
      // Every parameter the provider sent, as sent: the checks (state, iss, error) read them all.
      const query = new URL(req.url, 'http://callback.invalid').searchParams;
      const { signedIn, returnTo } = await flow.callback(query, `${base(req)}${CALLBACK_PATH}`, contextOf(req));
      setSignInCookies(reply, signedIn, cookieSecurity(req, config.publicUrl));
      return reply.header('cache-control', 'no-store').redirect(returnTo, 302);
    },
  );

  app.get(
    '/v1/auth/sso/:tenant',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['sso'],
        summary: 'Whether an institution signs in with its identity provider (for its sign-in page)',
        params: TenantParams,
        response: { 200: SsoInfo, ...problemResponses(400, 404, 503) },
      },
    },
    async (req) => {
      const { tenant, enabled } = await flow.info(req.params.tenant);
      return presentInfo(tenant, enabled, base(req));
    },
  );

  app.get(
    '/v1/auth/sso/:tenant/start',
    {
      config: { access: 'anyone', rateLimit },
      schema: {
        tags: ['sso'],
        summary: 'Start signing in with the institution’s identity provider',
        description:
          'Redirects the browser to the provider’s authorization endpoint with a state, a nonce and a PKCE S256 code challenge. ' +
          'An institution without single sign-on answers 404 sso-not-configured; an unreachable provider 502.',
        params: TenantParams,
        querystring: StartQuery,
        response: { 302: Redirect('To the provider’s authorization endpoint'), ...problemResponses(400, 404, 429, 502, 503) },
      },
    },
    async (req, reply) => {
      const location = await flow.start(req.params.tenant, req.query.returnTo, `${base(req)}${CALLBACK_PATH}`);
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    },
  );
};
