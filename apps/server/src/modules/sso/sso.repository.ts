import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB, OidcLoginsTable, OidcProvidersTable } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type OidcProviderRow = Selectable<OidcProvidersTable>;
export type OidcLoginRow = Selectable<OidcLoginsTable>;

export async function findOidcProvider(db: Kysely<DB>, tenantId: TenantId): Promise<OidcProviderRow | undefined> {
  return db.selectFrom('oidc_providers').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** Creates or replaces a tenant's provider (one per tenant). */
export async function saveOidcProvider(db: Kysely<DB>, row: Insertable<OidcProvidersTable> & { tenant_id: TenantId }): Promise<OidcProviderRow> {
  const { tenant_id: _t, created_at: _c, ...changes } = row;
  return db
    .insertInto('oidc_providers')
    .values(row)
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(changes))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteOidcProvider(db: Kysely<DB>, tenantId: TenantId): Promise<boolean> {
  const r = await db.deleteFrom('oidc_providers').where('tenant_id', '=', tenantId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertOidcLogin(db: Kysely<DB>, row: Insertable<OidcLoginsTable> & { tenant_id: TenantId }): Promise<void> {
  await db.insertInto('oidc_logins').values(row).execute();
}

/**
 * Takes (reads and deletes at once) the sign-in in flight a callback's state names, so a state
 * works once even when two callbacks race. Looked up by its state alone, like a refresh token by its
 * hash: the state is what says which tenant the flow belongs to.
 */
export async function takeOidcLogin(db: Kysely<DB>, state: string): Promise<OidcLoginRow | undefined> {
  return db.deleteFrom('oidc_logins').where('state', '=', state).returningAll().executeTakeFirst();
}

/** Sign-ins that were started and never came back. */
export async function purgeExpiredOidcLogins(db: Kysely<DB>, tenantId: TenantId, now: Date): Promise<void> {
  await db.deleteFrom('oidc_logins').where('tenant_id', '=', tenantId).where('expires_at', '<=', now).execute();
}

export async function deleteTenantOidcLogins(db: Kysely<DB>, tenantId: TenantId): Promise<void> {
  await db.deleteFrom('oidc_logins').where('tenant_id', '=', tenantId).execute();
}

/**
 * Forgets every account's link to a subject of the tenant's provider. A subject means something only
 * at the issuer that made it: when the tenant's issuer changes or goes, another issuer's subject must
 * never find an account linked by the old one (each person re-links by verified email). Writes the
 * people module's table: it has no bulk update to call, and this one belongs to SSO's rules.
 */
export async function unlinkOidcSubjects(db: Kysely<DB>, tenantId: TenantId): Promise<number> {
  const r = await db
    .updateTable('users')
    .set({ oidc_subject: null })
    .where('tenant_id', '=', tenantId)
    .where('oidc_subject', 'is not', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
