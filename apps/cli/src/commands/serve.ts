import { existsSync } from 'node:fs';
import { DEFAULT_WEB_DIST, loadConfig, startServer, type App, type Config, type ConfigOverrides } from '@veritas/server';
import type { Command } from '../main';
import { seedDemo, seedDemoInstitution } from '../demo-seed';

const ROLES = ['api', 'worker', 'all'] as const;

/**
 * Flags that override the environment: --port N (PORT), --data DIR (VERITAS_DATA_DIR), --host (HOST),
 * --role (VERITAS_ROLE). They are overrides handed to loadConfig, never written into the environment.
 */
export function configFromFlags(values: Record<string, unknown>): Config {
  const overrides: ConfigOverrides = {};
  if (typeof values.port === 'string') {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
    overrides.port = port;
  }
  if (typeof values.host === 'string') overrides.host = values.host;
  if (typeof values.data === 'string') overrides.dataDir = values.data;
  if (typeof values.role === 'string') {
    const role = ROLES.find((r) => r === values.role);
    if (!role) throw new Error(`--role must be api, worker or all, got "${values.role}"`);
    overrides.role = role;
  }
  const config = loadConfig(process.env, overrides);
  // The built web app of this checkout, unless VERITAS_WEB_DIST names another: one more override.
  return !config.webDist && existsSync(DEFAULT_WEB_DIST) ? loadConfig(process.env, { ...overrides, webDist: DEFAULT_WEB_DIST }) : config;
}

export function describeStorage(config: Config): string {
  if (config.databaseUrl) return `PostgreSQL (${new URL(config.databaseUrl).host})${config.redisUrl ? ' + Redis' : ''}`;
  return `embedded PGlite in ${config.dataDir} (locked to this process)`;
}

export const serve: Command = {
  summary: 'Start the Veritas server: API, WebSocket ingest and the web app on one port.',
  usage: 'veritas serve [--port N] [--host H] [--data DIR] [--role api|worker|all] [--demo]',
  options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, role: { type: 'string' }, demo: { type: 'boolean' } },
  async run({ values }) {
    const config = configFromFlags(values);
    let demoPeople: string[] = [];
    // Seeded before the port opens, so a sign-in right after /ready answers ready finds the demo accounts.
    const seed = async (app: App) => {
      const seeded = await seedDemo(app.services);
      if (seeded > 0) console.log(`seeded ${seeded} demo sessions`);
      demoPeople = await seedDemoInstitution(app.services);
    };
    const server = await startServer(config, values.demo ? { beforeListen: seed } : {});
    console.log(`Veritas listening on ${server.url}`);
    console.log(`  storage: ${describeStorage(config)}`);
    console.log(`  role: ${config.role} (jobs: ${config.jobs.driver}${config.role === 'api' ? ', run by worker processes' : ''})`);
    console.log(`  web app: ${config.webDist ? server.url + '/' : 'not built (npm run build -w @veritas/web)'}   API docs: ${server.url}/docs`);
    for (const line of demoPeople) console.log(line);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    console.log('stopping: finishing in-flight batches…');
    await server.close();
    return 0;
  },
};
