import { sql, type Kysely } from 'kysely';

/** The origins (other sites' pages) a tenant lets use the recorder's routes for its sessions: none at first. */
export async function tenantCorsMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tenants')
    .addColumn('cors_origins', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
}
