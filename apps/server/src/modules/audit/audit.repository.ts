import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { AuditLogTable, DB } from '../../platform/db/tables';

export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'hash'>;

export const GENESIS_HASH = '0'.repeat(64);

/** Records entries unnumbered, in the caller's transaction or on their own: no lock on any chain's head. */
export async function insertPending(db: Kysely<DB>, entries: readonly NewAuditRow[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('audit_pending')
    .values(entries.map((entry) => ({ ...entry, detail: JSON.stringify(entry.detail) })))
    .execute();
}

/** Whether a chain has entries waiting to be linked (a cheap look before taking its head's lock). */
export async function hasPending(db: Kysely<DB>, chain: string): Promise<boolean> {
  return (await db.selectFrom('audit_pending').select('n').where('chain', '=', chain).limit(1).executeTakeFirst()) !== undefined;
}

/** The chains with entries waiting to be linked. */
export async function pendingChains(db: Kysely<DB>): Promise<string[]> {
  return (await db.selectFrom('audit_pending').select('chain').distinct().execute()).map((r) => r.chain);
}

/**
 * Links up to `limit` of a chain's committed pending entries, in the order they were recorded, inside
 * the caller's transaction: the chain's head row is locked (so linkers of several processes number one
 * after another), the entries are numbered and hashed after it, moved into `audit_log`, and the head
 * moves to the last. Returns the entries linked.
 */
export async function linkPendingEntries(trx: Kysely<DB>, chain: string, limit: number, hashOf: (row: Omit<AuditRow, 'hash'>) => string): Promise<AuditRow[]> {
  await trx
    .insertInto('audit_heads')
    .values({ chain, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
  const head = await trx.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', chain).forUpdate().executeTakeFirstOrThrow();
  // Read after the lock: under read committed this statement sees what another linker committed meanwhile.
  const pending = await trx.selectFrom('audit_pending').selectAll().where('chain', '=', chain).orderBy('n').limit(limit).execute();
  if (pending.length === 0) return [];
  let seq = Number(head.seq);
  let prev = head.hash;
  const rows = pending.map(({ n: _n, ...entry }) => {
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
    .deleteFrom('audit_pending')
    .where(
      'n',
      'in',
      pending.map((p) => p.n),
    )
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
