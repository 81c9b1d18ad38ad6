import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresDriver,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type LogEvent,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import { isDatabaseUnavailable } from './availability';
import { survivePoolErrors } from './pg-pool-errors';
import { PreparingClient } from './prepared-statements';
import type { DB } from './tables';

/**
 * A PostgreSQL streaming replica for reads that tolerate staleness (ADR 0031). `db` is a Kysely like
 * the primary's: each connection it hands out is the replica's while the replica answers and trails
 * the primary by at most `maxLagMs`, the primary's otherwise; a read whose replica connection dies is
 * run again on the primary. So a caller never sees the replica's outage, only (within the bound) its lag.
 */
export interface ReadReplica {
  db: Kysely<DB>;
  /** Asks the replica now (at most one probe at a time): its state and how far it trails. */
  check(): Promise<ReplicaStatus>;
  close(): Promise<void>;
}

/** `up`: reads go to it; `lagging`: it answers but trails past the bound (or lost its primary); `down`: it does not answer. */
export type ReplicaState = 'up' | 'lagging' | 'down';
export interface ReplicaStatus {
  state: ReplicaState;
  /** How far its replay trails what it received, in ms (0 when caught up); absent when down. */
  lagMs?: number;
}

export interface ReplicaOptions {
  url: string;
  /** Reads go to the primary while the replica trails by more than this (the smallest staleness any replica read tolerates). */
  maxLagMs: number;
  /** How old the last probe may be before a read asks again (in the background); default 1000. */
  checkMs?: number;
  poolSize?: number;
}

/** The replica's application_name: its connections are told apart in pg_stat_activity. */
export const REPLICA_APPLICATION_NAME = 'veritas-replica-reads';

/**
 * How far the replica trails: 0 when it has replayed all it received, otherwise the age of the last
 * transaction it replayed (an overestimate after the primary was idle: a read then goes to the
 * primary a little early, never late). A standby whose WAL receiver is not streaming has lost its
 * primary and trails by an unknown amount (`hidden`: a role without pg_read_all_stats sees the
 * receiver but not its status; taken as streaming). A server not in recovery is a primary (no lag).
 */
const LAG_SQL = CompiledQuery.raw(`select pg_is_in_recovery() as standby,
  (select coalesce(status, 'hidden') from pg_stat_wal_receiver) as receiver,
  case when not pg_is_in_recovery() or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
       else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000, 0) end as lag_ms`);

/** Opens the replica's pool; reads fall back to `primaryPool` (which the replica never closes). */
export function openReadReplica(primaryPool: pg.Pool, options: ReplicaOptions, log?: (event: LogEvent) => void): ReadReplica {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // A replica that does not answer must cost a read little before it falls back.
    connectionTimeoutMillis: 1000,
    application_name: REPLICA_APPLICATION_NAME,
    Client: PreparingClient,
  });
  survivePoolErrors(pool);
  const router = new ReplicaRouter(new PostgresDriver({ pool }), new PostgresDriver({ pool: primaryPool }), options);
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => router,
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
  const db = new Kysely<DB>({ dialect, ...(log ? { log } : {}) });
  void router.init();
  return { db, check: () => router.probe(), close: () => db.destroy() };
}

/** A hot standby cancels a read that holds back its replay (`canceling statement due to conflict with recovery`). */
const isRecoveryConflict = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '40001';

/** A connection from the replica or the primary, remembering which (and moving to the primary if the replica's dies). */
class RoutedConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    public inner: DatabaseConnection,
    public onReplica: boolean,
    private readonly router: ReplicaRouter,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (err) {
      // A read is safe to run again; a transaction's earlier statements are gone with the connection.
      if (!this.onReplica || this.inTransaction || !(isDatabaseUnavailable(err) || isRecoveryConflict(err))) throw err;
      await this.router.moveToPrimary(this, err);
      return this.inner.executeQuery<R>(query);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class ReplicaRouter implements Driver {
  private status: ReplicaStatus & { at: number } = { state: 'down', at: 0 };
  private probing: Promise<ReplicaStatus> | undefined;
  private readonly checkMs: number;

  constructor(
    private readonly replica: Driver,
    private readonly primary: Driver,
    private readonly options: ReplicaOptions,
  ) {
    this.checkMs = options.checkMs ?? 1000;
  }

  /** Idempotent: Kysely calls it before the first query; openReadReplica at once, so `check` works before any read. */
  async init(): Promise<void> {
    await this.replica.init();
    await this.primary.init();
    if (this.status.at === 0) void this.probe();
  }

  /** The replica's state, asked of the replica itself; a failed probe is `down`. */
  probe(): Promise<ReplicaStatus> {
    this.probing ??= (async (): Promise<ReplicaStatus> => {
      let status: ReplicaStatus;
      try {
        const conn = await this.replica.acquireConnection();
        try {
          const { rows } = await conn.executeQuery<{ standby: boolean; receiver: string | null; lag_ms: number | string }>(LAG_SQL);
          const row = rows[0]!;
          const lagMs = Math.max(0, Math.round(Number(row.lag_ms)));
          const cutOff = row.standby && row.receiver !== 'streaming' && row.receiver !== 'hidden';
          status = { state: cutOff || lagMs > this.options.maxLagMs ? 'lagging' : 'up', lagMs };
        } finally {
          await this.replica.releaseConnection(conn);
        }
      } catch {
        status = { state: 'down' };
      }
      this.status = { ...status, at: Date.now() };
      return status;
    })().finally(() => (this.probing = undefined));
    return this.probing;
  }

  /** Whether reads go to the replica now; asks it again, in the background, once the last answer is older than checkMs. */
  private usable(): boolean {
    if (Date.now() - this.status.at >= this.checkMs) void this.probe();
    return this.status.state === 'up';
  }

  private markDown(): void {
    this.status = { state: 'down', at: Date.now() };
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.usable()) {
      try {
        return new RoutedConnection(await this.replica.acquireConnection(), true, this);
      } catch {
        // Refused, timed out (the pool's own error), or a wrong password: the replica is of no use now.
        this.markDown();
      }
    }
    return new RoutedConnection(await this.primary.acquireConnection(), false, this);
  }

  async moveToPrimary(conn: RoutedConnection, _err: unknown): Promise<void> {
    this.markDown();
    await this.replica.releaseConnection(conn.inner);
    conn.inner = await this.primary.acquireConnection();
    conn.onReplica = false;
  }

  private driverOf(conn: DatabaseConnection): Driver {
    return (conn as RoutedConnection).onReplica ? this.replica : this.primary;
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.driverOf(conn).beginTransaction(conn, settings);
    (conn as RoutedConnection).inTransaction = true;
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    (conn as RoutedConnection).inTransaction = false;
    await this.driverOf(conn).commitTransaction(conn);
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    (conn as RoutedConnection).inTransaction = false;
    await this.driverOf(conn).rollbackTransaction(conn);
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    await this.driverOf(conn).releaseConnection((conn as RoutedConnection).inner);
  }

  /** Ends the replica's pool only: the primary's belongs to the primary's Kysely. */
  async destroy(): Promise<void> {
    await this.replica.destroy();
  }
}
