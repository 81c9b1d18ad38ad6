import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB, RefreshTokensTable } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type RefreshTokenRow = Selectable<RefreshTokensTable>;

export async function insertRefreshToken(db: Kysely<DB>, row: Insertable<RefreshTokensTable>): Promise<void> {
  await db.insertInto('refresh_tokens').values(row).execute();
}

/** Looked up by its hash alone: the token is the credential, and its row says the tenant. */
export async function findRefreshToken(db: Kysely<DB>, tokenHash: string): Promise<RefreshTokenRow | undefined> {
  return db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** Spends a token once: false when another request spent (or revoked) it first. */
export async function spendRefreshToken(db: Kysely<DB>, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('refresh_tokens')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function revokeRefreshFamily(db: Kysely<DB>, tenantId: string, familyId: string, at: Date): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Signs a person out everywhere (but the sign-in `keep`, when given). */
export async function revokeUserRefreshTokens(db: Kysely<DB>, tenantId: TenantId | string, userId: string, at: Date, keep?: string): Promise<void> {
  let q = db
    .updateTable('refresh_tokens')
    .set({ revoked_at: at })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keep !== undefined) q = q.where('family_id', '!=', keep);
  await q.execute();
}
