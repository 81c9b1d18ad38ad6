import { sql, type Kysely } from 'kysely';

/**
 * Live tickets: short-lived, single-purpose credentials for one session's live stream (EventSource
 * cannot send headers). Only the token's SHA-256 is stored; every instance reads the same rows.
 */
export async function liveTicketsMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('live_tickets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text')
    // Who it was issued to: 'user', 'api-key' or 'session-reader' (a share link's id, or none for a public session's id).
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    // How a person signed in (recorded in the audit of what they read with it).
    .addColumn('auth_method', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('live_tickets_expiry').on('live_tickets').column('expires_at').execute();
}
