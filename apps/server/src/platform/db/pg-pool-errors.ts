import type pg from 'pg';

/**
 * Keeps a PostgreSQL outage from killing the process. A pg client emits 'error' when its
 * connection dies (a restart, `pg_ctl stop`, a network cut); with no listener Node throws it.
 * pg-pool listens only while a client is idle: a client checked out (Kysely holds one for a
 * whole transaction, and between the queries of a request) has none. So every client gets a
 * listener of its own for its whole life, and the pool its idle one. Nothing is lost by
 * ignoring the event: the query in flight fails with the same error (the caller answers 503),
 * and the pool drops the broken client when it is released (it is no longer queryable).
 */
export function survivePoolErrors(pool: pg.Pool, onError: (err: Error) => void = () => {}): pg.Pool {
  pool.on('error', onError);
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
  return pool;
}
