import type { Insertable, Kysely, Selectable } from 'kysely';
import type { TenantId } from '../../kernel/scope';
import type { DB, LtiDeepLinksTable } from '../../platform/db/tables';

export type LtiDeepLinkRow = Selectable<LtiDeepLinksTable>;

export async function insertDeepLink(db: Kysely<DB>, row: Insertable<LtiDeepLinksTable> & { tenant_id: TenantId }): Promise<void> {
  await db.insertInto('lti_deep_links').values(row).execute();
}

/** A request in flight by its token's hash, whoever asks (the service checks the tenant, person, use and expiry). */
export async function findDeepLink(db: Kysely<DB>, tokenHash: string): Promise<LtiDeepLinkRow | undefined> {
  return db.selectFrom('lti_deep_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/**
 * Marks a request used, if it was not and has not expired, in one statement: two answers racing on
 * one request cannot both be sent. Returns the row when this call used it.
 */
export async function useDeepLink(db: Kysely<DB>, tenantId: TenantId, tokenHash: string, now: Date): Promise<LtiDeepLinkRow | undefined> {
  return db
    .updateTable('lti_deep_links')
    .set({ used_at: now })
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

/** Requests that expired before `before`: used or abandoned, they can no longer be answered. */
export async function purgeExpiredDeepLinks(db: Kysely<DB>, tenantId: TenantId, before: Date): Promise<void> {
  await db.deleteFrom('lti_deep_links').where('tenant_id', '=', tenantId).where('expires_at', '<=', before).execute();
}
