import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { ShareLinksTable, ShareScope } from '../../platform/db/tables';
import type { Scope } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';

export type ShareLinkRow = Selectable<ShareLinksTable>;

export async function insertShareLink(db: Db, row: Insertable<ShareLinksTable>): Promise<ShareLinkRow> {
  return db.insertInto('share_links').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A session's links (of the scope), newest first. */
export async function listShareLinks(db: Db, scope: Scope, sessionId: string): Promise<ShareLinkRow[]> {
  return db
    .selectFrom('share_links')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where(inScope(scope))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute();
}

export async function findShareLink(db: Db, scope: Scope, sessionId: string, id: string): Promise<ShareLinkRow | undefined> {
  return db.selectFrom('share_links').selectAll().where('id', '=', id).where('session_id', '=', sessionId).where(inScope(scope)).executeTakeFirst();
}

/** Revokes a link not yet revoked; nothing when it is unknown or already revoked. */
export async function revokeShareLink(db: Db, scope: Scope, sessionId: string, id: string): Promise<ShareLinkRow | undefined> {
  return db
    .updateTable('share_links')
    .set({ revoked_at: sql`now()` as never })
    .where('id', '=', id)
    .where('session_id', '=', sessionId)
    .where(inScope(scope))
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * The link a token opens for this session, when it is neither revoked nor expired, with the
 * session's tenant (the scope its reader reads in). One query on the token's unique hash.
 */
export async function findOpenShareLink(
  db: Db,
  sessionId: string,
  tokenHash: string,
): Promise<{ id: string; tenant_id: string | null; last_used_at: Date | null; scope: ShareScope } | undefined> {
  return db
    .selectFrom('share_links as l')
    .innerJoin('sessions as s', 's.id', 'l.session_id')
    .select(['l.id', 's.tenant_id', 'l.last_used_at', 'l.scope'])
    .where('l.token_hash', '=', tokenHash)
    .where('l.session_id', '=', sessionId)
    .where('l.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('l.expires_at', 'is', null), eb('l.expires_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
}

/** Notes a link's use, at most once a minute (a viewer's requests would otherwise write on every read). */
export async function touchShareLink(db: Db, id: string): Promise<void> {
  await db
    .updateTable('share_links')
    .set({ last_used_at: sql`now()` as never })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}

/** What a link opens, by its id alone (a live ticket's holder carries the link's id, not its scope). */
export async function scopeOfShareLink(db: Db, id: string): Promise<ShareScope | undefined> {
  const row = await db.selectFrom('share_links').select('scope').where('id', '=', id).executeTakeFirst();
  return row?.scope;
}
