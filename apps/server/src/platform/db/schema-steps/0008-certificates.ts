import { sql, type Kysely } from 'kysely';

/**
 * Certificates (ADR 0016): the keys that sign them, apart from access-token keys, and the
 * certificates issued, one per session and analysis version.
 */
export async function certificatesMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('certificate_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    // Null for a key given by a key file: its private part never enters the database.
    .addColumn('private_jwk', 'jsonb')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Retired keys sign nothing and stay published for ever: a certificate does not expire.
    .addColumn('retired_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('certificates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // Null once its session is deleted: the row stays, so a revoked certificate stays on the revocation list.
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('set null'))
    .addColumn('tenant_id', 'text')
    .addColumn('analysis_version', 'text', (c) => c.notNull())
    .addColumn('analysis_digest', 'text', (c) => c.notNull())
    .addColumn('kid', 'text', (c) => c.notNull().references('certificate_keys.kid'))
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .addUniqueConstraint('certificates_once', ['session_id', 'analysis_version'])
    .execute();
  await db.schema.createIndex('certificates_revoked').on('certificates').columns(['revoked_at', 'id']).execute();
}
