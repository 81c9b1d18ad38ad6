import type { Kysely } from 'kysely';

/**
 * Audit entries linked after their commit (docs/adr/0033-audit-entries-linked-after-commit.md): an
 * entry recorded inside a write's transaction lands here, unnumbered, with no lock on its chain's
 * head; a linker moves the committed ones into `audit_log` in batches, numbered and hashed in order.
 */
export async function auditPendingMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_pending')
    // The order entries reached the database: the order the linker numbers a chain's entries in.
    .addColumn('n', 'bigserial', (c) => c.primaryKey())
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('auth_method', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('request_id', 'text')
    .addColumn('detail', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_pending_chain').on('audit_pending').columns(['chain', 'n']).execute();
}
