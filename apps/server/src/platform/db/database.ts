import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { recordQuery } from '../tracing';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from './pglite-dialect';
import { survivePoolErrors } from './pg-pool-errors';
import { PreparingClient } from './prepared-statements';
import type { DB } from './tables';
import { openReadReplica, type ReadReplica, type ReplicaOptions } from './read-replica';

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
  /** A streaming replica for the reads that tolerate staleness (DATABASE_REPLICA_URL; ADR 0031). */
  replica?: ReadReplica;
  /**
   * Connections of ingest's own (PostgreSQL), for its group commits: a burst of other work (alerts,
   * review, live reads) queues for the main pool, never in front of an acknowledgement (ADR 0001).
   */
  ingest?: Db;
}

/** Where ingest commits: its own connections when it has them, the one connection or pool otherwise. */
export const ingestDb = (database: Database): Db => database.ingest ?? database.db;

/**
 * Where a read that tolerates the replica's bounded staleness goes: the replica's Kysely (which falls
 * back to the primary by itself) when one is configured, the primary otherwise. Anything a caller
 * reads right after writing it stays on `database.db`.
 */
export const staleReads = (database: Database): Db => database.replica?.db ?? database.db;

/** Each query becomes a span of the request or job it ran for, when tracing is on (platform/tracing). */
const traceQuery = (event: LogEvent): void => {
  recordQuery(event.query.sql, event.queryDurationMillis, event.level === 'error' ? event.error : undefined);
};

/** PostgreSQL through a pg pool: the scale-out driver; with `replica`, a streaming replica beside it for stale-tolerant reads. */
export function openPostgres(url: string, poolSize = 10, options: { replica?: ReplicaOptions; ingestConnections?: number } = {}): Database {
  // int8 (counts) as numbers: our counts stay far below 2^53.
  pg.types.setTypeParser(20, (v) => Number(v));
  const main = poolOf(url, poolSize);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: main }), log: traceQuery });
  const ingest = options.ingestConnections
    ? new Kysely<DB>({ dialect: new PostgresDialect({ pool: poolOf(url, options.ingestConnections) }), log: traceQuery })
    : undefined;
  const reads = options.replica ? openReadReplica(main, { poolSize, ...options.replica }, traceQuery) : undefined;
  return {
    db,
    kind: 'postgres',
    ...(reads ? { replica: reads } : {}),
    ...(ingest ? { ingest } : {}),
    async close() {
      await reads?.close();
      await ingest?.destroy();
      await db.destroy();
    },
  };
}

function poolOf(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000, Client: PreparingClient });
  // A client's error (the server went away) must not crash the process; the next query reports it.
  survivePoolErrors(pool);
  return pool;
}

/** PGlite inside this process: the embedded default. `dataDir` undefined means in memory. */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite), log: traceQuery });
  return { db, kind: 'pglite', close: () => db.destroy(), dump: () => db.connection().execute(() => pglite.dumpDataDir('gzip')) };
}
