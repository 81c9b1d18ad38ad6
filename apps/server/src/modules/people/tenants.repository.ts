import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB, TenantsTable } from '../../platform/db/tables';

export type TenantRow = Selectable<TenantsTable>;

export async function insertTenant(db: Kysely<DB>, tenant: Insertable<TenantsTable>): Promise<TenantRow> {
  return db.insertInto('tenants').values(tenant).returningAll().executeTakeFirstOrThrow();
}

export async function findTenantById(db: Kysely<DB>, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findTenantBySlug(db: Kysely<DB>, slug: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function updateTenant(db: Kysely<DB>, id: string, changes: Updateable<TenantsTable>): Promise<TenantRow | undefined> {
  return db.updateTable('tenants').set(changes).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Locks a tenant's row until the transaction ends: changes to its people's roles and statuses are made one at a time. */
export async function lockTenant(db: Kysely<DB>, id: string): Promise<TenantRow | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}
