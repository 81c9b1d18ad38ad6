import { sql, type Kysely } from 'kysely';

/**
 * The audit trail's own retention (docs/adr/0027-retention-and-legal-holds.md, amendment): a tenant's
 * policy gains the days audit entries are kept (null keeps them), and each chain whose oldest entries
 * were deleted keeps an anchor, the seq and hash of the last entry deleted, from which it verifies.
 */
export async function auditRetentionMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('retention_policies').addColumn('audit_days', 'integer').execute();
  await db.schema
    .createTable('audit_anchors')
    .addColumn('chain', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('cut_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}
