import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { createMetrics } from '../metrics';
import { installProblemHandlers } from '../plugins/problems';
import { requireAccessDeclarations } from '../plugins/access';
import { createServices, type Services } from '../services/services';
import { healthRoutes } from '../routes/health/health.routes';
import { Problem } from '../routes/schemas';
import { startJobs } from './start-jobs';

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
