import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { AuditLogTable, DB } from '../../platform/db/tables';

export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

/**
 * Appends entries of one chain, in order, inside the caller's transaction: the chain's head row is
 * locked once, so entries of one chain are numbered and linked one after another even across
 * processes, and a group pays for one lock, one insert and one head update.
 */
export async function appendAuditEntries(
  trx: Kysely<DB>,
  chain: string,
  entries: readonly NewAuditRow[],
  hashOf: (row: Omit<AuditRow, 'hash'>) => string,
): Promise<AuditRow[]> {
  if (entries.length === 0) return [];
  await trx
    .insertInto('audit_heads')
    .values({ chain, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
  const head = await trx.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', chain).forUpdate().executeTakeFirstOrThrow();
  let seq = Number(head.seq);
  let prev = head.hash;
  const rows = entries.map((entry) => {
    if (entry.chain !== chain) throw new Error(`audit entry of chain ${entry.chain} appended to ${chain}`);
    seq++;
    const unhashed = { ...entry, seq: String(seq), prev_hash: prev };
    const row: AuditRow = { ...unhashed, hash: hashOf(unhashed) };
    prev = row.hash;
    return row;
  });
  await trx
    .insertInto('audit_log')
    .values(rows.map((row) => ({ ...row, detail: JSON.stringify(row.detail) })))
    .execute();
  await trx
    .updateTable('audit_heads')
    .set({ seq: String(seq), hash: prev })
    .where('chain', '=', chain)
    .execute();
  return rows;
}

/** A chain's entries in order, a page at a time (verification walks them all). */
export async function chainPage(db: Kysely<DB>, chain: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_log')
    .selectAll()
    .where('chain', '=', chain)
    .where(sql<boolean>`seq > ${afterSeq}`)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function chainHead(db: Kysely<DB>, chain: string): Promise<{ seq: string; hash: string } | undefined> {
  return db.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', chain).executeTakeFirst();
}

export async function allChains(db: Kysely<DB>): Promise<string[]> {
  const heads = await db.selectFrom('audit_heads').select('chain').execute();
  const logged = await db.selectFrom('audit_log').select('chain').distinct().execute();
  return [...new Set([...heads.map((h) => h.chain), ...logged.map((l) => l.chain)])].sort();
}

export interface AuditQuery {
  tenantId: string;
  actorId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: Date;
  to?: Date;
  /** The seq of the last entry of the previous page (newest first). */
  beforeSeq?: number;
  limit: number;
}

/** A tenant's entries, newest first, filtered. */
export async function searchAudit(db: Kysely<DB>, q: AuditQuery): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().where('chain', '=', q.tenantId);
  if (q.actorId !== undefined) query = query.where('actor_id', '=', q.actorId);
  if (q.action !== undefined) query = query.where('action', '=', q.action);
  if (q.resourceType !== undefined) query = query.where('resource_type', '=', q.resourceType);
  if (q.resourceId !== undefined) query = query.where('resource_id', '=', q.resourceId);
  if (q.from !== undefined) query = query.where('at', '>=', q.from);
  if (q.to !== undefined) query = query.where('at', '<', q.to);
  if (q.beforeSeq !== undefined) query = query.where(sql<boolean>`seq < ${q.beforeSeq}`);
  return query.orderBy('seq', 'desc').limit(q.limit).execute();
}
