import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf, problemResponses, userOf } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { TenantPatch, TenantView } from './people.schemas';
import { presentTenant } from './people.presenter';

/** The caller's institution: its name, and whether its sessions take host-page signals. */
export const tenantRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  const tenant = services.people.tenant;

  app.get(
    '/v1/admin/tenant',
    {
      config: { access: 'tenant:manage' },
      schema: { tags: ['admin'], summary: "Read the tenant's settings", response: { 200: TenantView, ...problemResponses(401, 403, 404, 503) } },
    },
    async (req) => presentTenant(await tenant.get(userOf(req))),
  );

  app.patch(
    '/v1/admin/tenant',
    {
      config: { access: 'tenant:manage' },
      schema: {
        tags: ['admin'],
        summary: "Change the tenant's settings",
        description:
          'hostSignals "refuse": the analysis of every session of the tenant drops what the host page reports (webcam-derived scores), from the next analysis on. ' +
          'A server started with VERITAS_HOST_SIGNALS=refuse refuses them for every tenant whatever this says. ' +
          "corsOrigins: the other sites' pages (origins) allowed to call the recorder's routes (send a batch, end the session) for the tenant's sessions; the list replaces the previous one.",
        body: TenantPatch,
        response: { 200: TenantView, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (req) => presentTenant(await tenant.update({ actor: userOf(req), context: contextOf(req) }, req.body)),
  );
};
