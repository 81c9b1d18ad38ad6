import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteDeps } from '../../http/route-deps';
import { usersRoutes } from './users.routes';
import { classesRoutes } from './classes.routes';
import { tenantRoutes } from './tenant.routes';

/** The tenant's administration of its people, classes and settings. */
export const peopleRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, deps) => {
  await usersRoutes(app, deps);
  await classesRoutes(app, deps);
  await tenantRoutes(app, deps);
};
