import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB, OneTimeLinksTable } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type OneTimeLinkRow = Selectable<OneTimeLinksTable>;
export type LinkKind = OneTimeLinkRow['kind'];

export async function insertLink(db: Kysely<DB>, row: Insertable<OneTimeLinksTable>): Promise<OneTimeLinkRow> {
  return db.insertInto('one_time_links').values(row).returningAll().executeTakeFirstOrThrow();
}

/** By the token's hash: the token is the credential of the person who opens the link. */
export async function findLinkByHash(db: Kysely<DB>, tokenHash: string): Promise<OneTimeLinkRow | undefined> {
  return db.selectFrom('one_time_links').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function findLink(db: Kysely<DB>, tenantId: TenantId, kind: LinkKind, id: string): Promise<OneTimeLinkRow | undefined> {
  return db.selectFrom('one_time_links').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
}

/** Links of a kind still usable: not used, not revoked, not expired; newest first. */
export async function pendingLinks(db: Kysely<DB>, tenantId: TenantId, kind: LinkKind, now: Date): Promise<OneTimeLinkRow[]> {
  return db
    .selectFrom('one_time_links')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(1000)
    .execute();
}

/** Revokes the still-open links of a kind for an address or a user (a new link replaces them). */
export async function revokeOpenLinks(
  db: Kysely<DB>,
  tenantId: TenantId,
  kind: LinkKind,
  match: { email: string } | { userId: string },
  at: Date,
): Promise<void> {
  let q = db
    .updateTable('one_time_links')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', kind)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null);
  q = 'email' in match ? q.where('email', '=', match.email) : q.where('user_id', '=', match.userId);
  await q.execute();
}

export async function revokeLink(db: Kysely<DB>, tenantId: TenantId, id: string, at: Date): Promise<void> {
  await db
    .updateTable('one_time_links')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Uses a link once: false when it was used, revoked or expired in the meantime. */
export async function spendLink(db: Kysely<DB>, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('one_time_links')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
