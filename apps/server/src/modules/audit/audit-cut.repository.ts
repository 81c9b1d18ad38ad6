import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import { GENESIS_HASH } from './audit.repository';

/** Where a chain starts: after the last entry retention deleted (its seq and hash), or at the beginning. */
export async function chainAnchor(db: Kysely<DB>, chain: string): Promise<{ seq: number; hash: string } | undefined> {
  const row = await db.selectFrom('audit_anchors').select(['seq', 'hash']).where('chain', '=', chain).executeTakeFirst();
  return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
}

export interface ChainCut {
  /** The first and last seq deleted. */
  fromSeq: number;
  throughSeq: number;
  entries: number;
  /** The hash of the last entry deleted: the first kept entry's prev_hash, and the new anchor. */
  anchorHash: string;
}

/**
 * Deletes a chain's oldest entries, from its anchor through `throughSeq`, and moves the anchor to the
 * last one deleted, so the entries kept still verify from it (audit.service's verify). In the caller's
 * transaction, after it locked the chain's head: no entry is appended while the cut is made. Only the
 * audit retention calls this (modules/retention/audit-expiry.ts); it records the cut as an entry.
 */
export async function cutChain(trx: Kysely<DB>, chain: string, throughSeq: number): Promise<ChainCut | undefined> {
  const after = (await chainAnchor(trx, chain))?.seq ?? 0;
  if (throughSeq <= after) return undefined;
  const last = await trx
    .selectFrom('audit_log')
    .select('hash')
    .where('chain', '=', chain)
    .where(sql<boolean>`seq = ${throughSeq}`)
    .executeTakeFirst();
  if (!last) throw new Error(`audit chain ${chain} has no entry ${throughSeq} to cut through`);
  const deleted = await trx
    .deleteFrom('audit_log')
    .where('chain', '=', chain)
    .where(sql<boolean>`seq > ${after} and seq <= ${throughSeq}`)
    .executeTakeFirst();
  await trx
    .insertInto('audit_anchors')
    .values({ chain, seq: throughSeq, hash: last.hash, cut_at: new Date() })
    .onConflict((oc) => oc.column('chain').doUpdateSet({ seq: throughSeq, hash: last.hash, cut_at: new Date() }))
    .execute();
  return { fromSeq: after + 1, throughSeq, entries: Number(deleted.numDeletedRows), anchorHash: last.hash };
}

/** Locks a chain's head (made at genesis when the chain has none yet): appends wait until the transaction ends. */
export async function lockChainHead(trx: Kysely<DB>, chain: string): Promise<{ seq: number; hash: string }> {
  await trx
    .insertInto('audit_heads')
    .values({ chain, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('chain').doNothing())
    .execute();
  const head = await trx.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', chain).forUpdate().executeTakeFirstOrThrow();
  return { seq: Number(head.seq), hash: head.hash };
}
