import { existsSync } from 'node:fs';
import { DEFAULT_WEB_DIST, loadConfig, startServer, type Config } from '@veritas/server';
import type { Command } from '../main';
import { seedDemo } from '../demo-seed';

/** Flags that override the environment: --port N (PORT), --data DIR (VERITAS_DATA_DIR), --host (HOST), --role (VERITAS_ROLE). */
export function configFromFlags(values: Record<string, unknown>): Config {
  const overrides: Partial<Config> = {};
  if (typeof values.port === 'string') {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got "${values.port}"`);
    overrides.port = port;
  }
  if (typeof values.host === 'string') overrides.host = values.host;
  const env = { ...process.env };
  if (typeof values.data === 'string') env.VERITAS_DATA_DIR = values.data;
  if (typeof values.role === 'string') env.VERITAS_ROLE = values.role;
  const config = loadConfig(env, overrides);
  if (!config.webDist && existsSync(DEFAULT_WEB_DIST)) config.webDist = DEFAULT_WEB_DIST;
  return config;
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
    const server = await startServer(config);
    if (values.demo) {
      const seeded = await seedDemo(server.app.services);
      if (seeded > 0) console.log(`seeded ${seeded} demo sessions`);
    }
    console.log(`Veritas listening on ${server.url}`);
    console.log(`  storage: ${describeStorage(config)}`);
    console.log(`  role: ${config.role} (jobs: ${config.jobs.driver}${config.role === 'api' ? ', run by worker processes' : ''})`);
    console.log(`  web app: ${config.webDist ? server.url + '/' : 'not built (npm run build -w @veritas/web)'}   API docs: ${server.url}/docs`);
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
