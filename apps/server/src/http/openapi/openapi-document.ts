import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/config';
import { buildApp } from '../app';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';

/** The document depends on the routes only: a database that never connects is enough to build it. */
function offlineDatabase(): Database {
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** The checked-in copy of the contract, regenerated with `npm run openapi`. */
export const OPENAPI_PATH = fileURLToPath(new URL('../../../../../docs/openapi.json', import.meta.url));

/** The OpenAPI document as the routes' schemas define it, formatted as it is checked in. */
export async function renderOpenApi(): Promise<string> {
  const database = offlineDatabase();
  const app = await buildApp({ config: loadConfig({}, { dataDir: undefined, logLevel: 'silent' }), database, logger: false });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await database.close();
  }
}
