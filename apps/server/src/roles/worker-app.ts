import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from '../config/config';
import type { Database } from '../platform/db/database';
import { createMetrics } from '../platform/metrics/metrics';
import { installProblemHandlers } from '../http/plugins/problems';
import { installAccess } from '../http/plugins/access';
import { installAuth, NO_CREDENTIALS } from '../http/plugins/auth';
import { createRateLimiter } from '../http/plugins/rate-limit';
import { MemoryRateCounter } from '../platform/rate-limit/rate-counter';
import { createServices, type Services } from '../modules/services';
import { healthRoutes } from '../modules/health';
import { Problem } from '../http/route-kit';
import { startRole } from './start-role';
import { createBlobStore } from '../platform/blob/create-blob-store';

export type WorkerApp = FastifyInstance & { services: Services };

/**
 * `serve --role worker`: runs jobs (started here, by its role), and serves only /health, /ready and /metrics (for the
 * orchestrator's probes and Prometheus); no API, no ingest, no web app.
 */
export async function buildWorkerApp({ config, database, logger }: { config: Config; database: Database; logger?: boolean | object }): Promise<WorkerApp> {
  const app = Fastify({ logger: logger ?? { level: config.logLevel } }).withTypeProvider<TypeBoxTypeProvider>();
  // The retention sweep runs here and deletes stored files with what expired.
  const blobs = await createBlobStore(config);
  app.addHook('onClose', async () => blobs.close());
  const services = createServices(database, config, createMetrics(), { log: app.log, blobs });
  app.decorate('services', services);
  app.addHook('onClose', async () => services.audit.stop());
  // Its routes are all `anyone`; the same hooks still run, so no route here is open by accident.
  installAuth(app, NO_CREDENTIALS);
  installAccess(app, { publicSessions: false });
  installProblemHandlers(app);
  app.addSchema(Problem);
  await startRole(app as FastifyInstance & { services: Services }, { ...config, role: 'worker' });
  await app.register(healthRoutes, {
    services,
    config,
    authorize: async () => {
      throw new Error('the worker serves no route that takes a credential');
    },
    rateLimiter: createRateLimiter(new MemoryRateCounter()),
  });
  return app as unknown as WorkerApp;
}
