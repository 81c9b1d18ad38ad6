import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * A query whose SQL text starts with this comment runs as a named prepared statement on PostgreSQL:
 * parsed and planned once per connection instead of once per call. Only for statements whose text
 * never varies (parameters as arrays, never a list spliced into the text) and which run often: the
 * ingest group's lock, held-batch read and append (docs/adr/0001, amendment). On PGlite it is a comment.
 */
export const PREPARED = '/* prepared */ ';

/**
 * The pg pool as Kysely sees it, with the marker honoured: each client's `query(text, params)` passes
 * a name (from the text's SHA-1) to pg when the text starts with PREPARED, and pg then sends Parse
 * once per connection and only Bind/Execute afterwards. Everything else goes through untouched.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `veritas_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      names.set(text, name);
    }
    return name;
  };
  // One wrapper per pg client, so Kysely (which keeps a connection object per client it is given) reuses its own.
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrapped.get(client);
    if (!w) {
      w = {
        query: ((textOrCursor: unknown, parameters?: readonly unknown[]) =>
          typeof textOrCursor === 'string' && textOrCursor.startsWith(PREPARED)
            ? client.query({ name: nameOf(textOrCursor), text: textOrCursor, values: parameters as unknown[] })
            : client.query(textOrCursor as never, parameters as never)) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
      wrapped.set(client, w);
    }
    return w;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
