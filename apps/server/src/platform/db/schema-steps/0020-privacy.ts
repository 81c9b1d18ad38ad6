import { sql, type Kysely } from 'kysely';

/**
 * Privacy (docs/adr/0029-subject-access-and-consent.md): consent texts with versions per tenant,
 * whether a tenant requires consent before a session's first events, each person's agreements, and
 * subject-access exports (built by a job, stored in the blob store, downloaded behind an expiring token).
 */
export async function privacyMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consent_texts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('consent_texts_version').on('consent_texts').columns(['tenant_id', 'version']).unique().execute();
  await db.schema
    .createTable('consent_settings')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('required', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('consent_agreements')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('text_id', 'text', (c) => c.notNull().references('consent_texts.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('agreed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One agreement per person and text: agreeing again answers the first.
  await db.schema.createIndex('consent_agreements_person').on('consent_agreements').columns(['tenant_id', 'user_id', 'version']).unique().execute();
  await db.schema
    .createTable('subject_exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    // 'admin' (an admin for the person) or 'self' (the person for themselves): what the archive holds differs (ADR 0029).
    .addColumn('requested_as', 'text', (c) => c.notNull())
    // queued, running, done, failed, expired
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('step', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('blob_key', 'text')
    .addColumn('size', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('subject_exports_expiry').on('subject_exports').columns(['status', 'expires_at']).execute();
  await db.schema.createIndex('subject_exports_subject').on('subject_exports').columns(['tenant_id', 'subject_id']).execute();
}
