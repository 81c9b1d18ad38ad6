import { sql, type Kysely } from 'kysely';
import type { DB } from './tables';

/**
 * Takes a named lock until the transaction `trx` ends (PostgreSQL's transaction-scoped advisory lock;
 * PGlite has one connection, so the lock costs nothing there). Instances that must not do one thing
 * at the same moment — making a first key, say — take turns on the same name.
 */
export async function takeTransactionLock(trx: Kysely<DB>, name: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(trx);
}
