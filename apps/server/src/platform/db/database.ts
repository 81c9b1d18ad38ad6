import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { recordQuery } from '../tracing';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from './pglite-dialect';
import { survivePoolErrors } from './pg-pool-errors';
import type { DB } from './tables';

export type Db = Kysely<DB>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /**
   * The embedded database's files as one gzipped tar (PGlite's own format), taken while holding its
   * only connection, so no transaction is half-way through: a consistent copy while serving.
   */
  dump?(): Promise<Blob>;
}

/** Each query becomes a span of the request or job it ran for, when tracing is on (platform/tracing). */
const traceQuery = (event: LogEvent): void => {
  recordQuery(event.query.sql, event.queryDurationMillis, event.level === 'error' ? event.error : undefined);
};

/** PostgreSQL through a pg pool: the scale-out driver. */
export function openPostgres(url: string, poolSize = 10): Database {
  // int8 (counts) as numbers: our counts stay far below 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // A client's error (the server went away) must not crash the process; the next query reports it.
  survivePoolErrors(pool);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: traceQuery });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** PGlite inside this process: the embedded default. `dataDir` undefined means in memory. */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), log: traceQuery });
  return { db, kind: 'pglite', close: () => db.destroy(), dump: () => db.connection().execute(() => pglite.dumpDataDir('gzip')) };
}
