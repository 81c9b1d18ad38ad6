import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config';
import type { Database } from '../platform/db/database';
import { createMetrics } from '../platform/metrics/metrics';
import { installProblemHandlers } from '../http/plugins/problems';
import { requireAccessDeclarations } from '../http/plugins/access';
import { createServices, type Services } from '../modules/services';
import { healthRoutes } from '../modules/health/health.routes';
import { Problem } from '../http/route-kit';
import { startJobs } from './start-role';

export type WorkerApp = FastifyInstance & { services: Services };

/**
 * `serve --role worker`: runs jobs, and serves only /health, /ready and /metrics (for the
 * orchestrator's probes and Prometheus); no API, no ingest, no web app.
 */
export async function buildWorkerApp({ config, database, logger }: { config: Config; database: Database; logger?: boolean | object }): Promise<WorkerApp> {
  const app = Fastify({ logger: logger ?? { level: config.logLevel } }).withTypeProvider<TypeBoxTypeProvider>();
  const services = createServices(database, config, createMetrics(), undefined, { log: app.log });
  app.decorate('services', services);
  requireAccessDeclarations(app);
  installProblemHandlers(app);
  app.addSchema(Problem);
  app.addHook('onClose', await startJobs(services, { ...config, role: 'worker' }, app.log));
  await app.register(healthRoutes, { services, config, scopeOf: () => ({ tenantId: null }) });
  return app as unknown as WorkerApp;
}
