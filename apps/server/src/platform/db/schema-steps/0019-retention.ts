import { sql, type Kysely } from 'kysely';

/**
 * Retention (docs/adr/0027-retention-and-legal-holds.md): a tenant's policy (days raw data and
 * analyses are kept after a session ends; null keeps them), legal holds on a session, an attempt
 * or a person, and a tombstone for each purge, so what went, when and under which policy stays known.
 */
export async function retentionMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('retention_policies')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('raw_days', 'integer')
    .addColumn('analysis_days', 'integer')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema
    .createTable('legal_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('subject_kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lifted_by', 'text')
    .addColumn('lifted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('legal_holds_subject').on('legal_holds').columns(['tenant_id', 'subject_kind', 'subject_id']).execute();
  await db.schema
    .createTable('retention_tombstones')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    // 'raw' (events, batches, held batches, share links, live tickets) or 'analysis' (analysis, alerts).
    .addColumn('what', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    // The chain head the raw data had: a certificate issued for it still names what existed.
    .addColumn('head_hash', 'text')
    .addColumn('policy_days', 'integer', (c) => c.notNull())
    .addColumn('purged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('retention_tombstones_session').on('retention_tombstones').columns(['session_id', 'what']).unique().execute();
  await db.schema.createIndex('sessions_ended_at').on('sessions').columns(['tenant_id', 'ended_at']).execute();
}
