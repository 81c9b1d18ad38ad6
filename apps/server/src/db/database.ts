import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from './pglite-dialect';
import type { DB } from './tables';

export type Db = Kysely<DB>;

/** Throws unless the database answers a trivial query (readiness). */
export async function ping<Tables>(db: Kysely<Tables>): Promise<void> {
  await sql`select 1`.execute(db);
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** PostgreSQL through a pg pool: the scale-out driver. */
export function openPostgres(url: string, poolSize = 10): Database {
  // int8 (counts) as numbers: our counts stay far below 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000 });
  // An idle client's error (the server went away) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

/** PGlite inside this process: the embedded default. `dataDir` undefined means in memory. */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}
