import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, linkBase, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { presentSettings } from './sso.presenter';
import { SsoSettingsBody, SsoSettingsView } from './sso.schemas';

/** An administrator configures their institution's OpenID Connect provider. */
export const ssoAdminRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config }) => {
  const settings = services.sso.settings;

  app.get(
    '/v1/admin/sso',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['sso'],
        summary: 'My institution’s single sign-on (OpenID Connect provider)',
        description: 'Never the client secret: `clientSecretSet` says whether one is stored. `redirectUri` is the one to register at the provider.',
        response: { 200: SsoSettingsView, ...problemResponses(401, 403, 503) },
      },
    },
    async (req) => {
      const { tenant, provider } = await settings.get(userOf(req).tenantId);
      return presentSettings(tenant, provider, linkBase(req, config.publicUrl));
    },
  );

  app.put(
    '/v1/admin/sso',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['sso'],
        summary: 'Set my institution’s OpenID Connect provider',
        description:
          'The issuer’s discovery document is fetched now: an issuer that cannot be reached or is not an OpenID Connect provider answers 400 sso-issuer-invalid. ' +
          'A different issuer than before unlinks every account from the old one’s subjects (people re-link by verified email when they next sign in) ' +
          'and ends sign-ins in flight. Audited, without the secret.',
        body: SsoSettingsBody,
        response: { 200: SsoSettingsView, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (req) => {
      const admin = userOf(req);
      await settings.save(admin, req.body, contextOf(req));
      const { tenant, provider } = await settings.get(admin.tenantId);
      return presentSettings(tenant, provider, linkBase(req, config.publicUrl));
    },
  );

  app.delete(
    '/v1/admin/sso',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['sso'],
        summary: 'Stop signing in with my institution’s provider',
        description: 'Sign-ins in flight end and accounts forget their provider subjects; people sign in with a password (or a reset link). Audited.',
        response: { 204: Type.Null(), ...problemResponses(401, 403, 503) },
      },
    },
    async (req, reply) => {
      await settings.remove(userOf(req), contextOf(req));
      return reply.code(204).send(null);
    },
  );
};
