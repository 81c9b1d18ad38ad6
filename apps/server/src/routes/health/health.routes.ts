import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../schemas';
import type { RouteDeps } from '../deps';
import { AppError } from '../../errors';
import { ping } from '../../db/database';

/** Liveness, readiness (the database answers) and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services }) => {
  app.get(
    '/health',
    { config: { access: 'anyone' }, schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable',
        response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String() }), ...problemResponses(503) },
      },
    },
    async () => {
      try {
        await ping(services.database.db);
      } catch {
        throw new AppError('database-unavailable', 'the database does not answer');
      }
      return { status: 'ready' as const, database: services.database.kind };
    },
  );

  app.get('/metrics', { config: { access: 'anyone' }, schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
    return reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
  });
};
