import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, toProblem } from '../../kernel/errors';
import { problemResponses } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';
import { createHealthService } from './health.service';
import { ANALYZE_SESSION } from '../analysis';

const DependencyState = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('not-configured')]);
const ReadinessBody = Type.Object({
  status: Type.Literal('ready'),
  database: Type.String({ description: 'pglite or postgres' }),
  redis: DependencyState,
  queue: Type.Object({
    state: Type.Union([Type.Literal('up'), Type.Literal('down')]),
    backlog: Type.Optional(Type.Integer({ minimum: 0, description: 'analysis jobs waiting' })),
  }),
  replica: Type.Object({
    state: Type.Union([Type.Literal('up'), Type.Literal('lagging'), Type.Literal('down'), Type.Literal('not-configured')], {
      description: 'the read replica (DATABASE_REPLICA_URL); lagging or down: its reads go to the primary',
    }),
    lagMs: Type.Optional(Type.Integer({ minimum: 0, description: 'how far its replay trails what it received' })),
  }),
});

/** Liveness, readiness (the database answers) and Prometheus metrics. */
export const healthRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { services, config, redis }) => {
  const health = createHealthService(services.database, app.log, { ...(redis ? { redis } : {}), jobs: services.jobs, backlogQueue: ANALYZE_SESSION });
  app.get(
    '/health',
    {
      config: { access: 'anyone' },
      schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { access: 'anyone' },
      schema: {
        tags: ['operations'],
        summary: 'The database is reachable (503 when not); the states of Redis, the job queue and the read replica',
        description:
          'Only the database decides the answer: an instance serves without Redis (the hub and the rate limits fall back to the instance), while the queue is stalled (jobs wait) and without its read replica (reads go to the primary), so those are reported, not refused.',
        response: { 200: ReadinessBody, ...problemResponses(503) },
      },
    },
    async (req, reply) => {
      try {
        return { status: 'ready' as const, ...(await health.ready()) };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        // Answered here, not by the error handler, which logs every 503 at error level: the health
        // service logs the outage once, when it starts.
        return (reply as unknown as FastifyReply).code(503).header('retry-after', '2').type('application/problem+json').send(toProblem(err, req.id));
      }
    },
  );

  // Public by default, as Prometheus scrapes expect; VERITAS_METRICS_TOKEN puts it behind a bearer token.
  const metricsToken = config.metricsToken ? digest(config.metricsToken) : undefined;
  app.get(
    '/metrics',
    {
      config: { access: 'anyone' },
      schema: { tags: ['operations'], summary: 'Prometheus metrics (behind a bearer token when the server sets VERITAS_METRICS_TOKEN)', hide: false },
      onRequest: async (req) => {
        if (metricsToken) checkMetricsToken(req, metricsToken);
      },
    },
    async (_req, reply) => {
      return reply.type(services.metrics.registry.contentType).send(await services.metrics.registry.metrics());
    },
  );
};

const digest = (token: string) => createHash('sha256').update(token).digest();

/** Compares digests in constant time, so the comparison tells nothing about the token. */
function checkMetricsToken(req: FastifyRequest, expected: Buffer): void {
  const header = req.headers.authorization;
  const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
  if (given === undefined) throw new AppError('missing-token', 'the metrics need the metrics bearer token');
  if (!timingSafeEqual(digest(given), expected)) throw new AppError('invalid-token', 'the metrics token does not match');
}
