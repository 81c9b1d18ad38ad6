import { sql, type Kysely } from 'kysely';

/**
 * Idempotency records: the first answer to a create request sent with an `Idempotency-Key`, so a
 * retry gets it again instead of creating twice. Rows are found by a hash of the caller and the key,
 * and the answer is stored encrypted with a key derived from the Idempotency-Key itself: the table
 * alone discloses no write token or API key (docs/adr/0021-idempotency-keys.md).
 */
export async function idempotencyMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_records')
    .addColumn('lookup_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text')
    // What the first request was (method, route, params, body), hashed: the same key for another request is refused.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // null while the first request runs (in flight); then its status and encrypted answer.
    .addColumn('status', 'integer')
    .addColumn('content_type', 'text')
    .addColumn('sealed_answer', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // When the request now answering it claimed the key (a stale in-flight claim may be taken over).
    .addColumn('claimed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idempotency_records_expiry').on('idempotency_records').column('expires_at').execute();
}
