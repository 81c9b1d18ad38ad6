import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';

/**
 * An audit entry is about a held subject when it names the held session, attempt or person as its
 * resource, when the held person acted, or when it names a session or attempt the hold covers the way
 * the sweep's holds do (a person's own sessions and attempts, an attempt's session). `a` is the entry.
 */
const ABOUT_HELD = sql`exists (
  select 1 from legal_holds h
   where h.tenant_id = a.tenant_id and h.lifted_at is null
     and (   (h.subject_kind = 'session' and a.resource_type = 'session' and a.resource_id = h.subject_id)
          or (h.subject_kind = 'attempt' and a.resource_type = 'attempt' and a.resource_id = h.subject_id)
          or (h.subject_kind = 'person' and (a.actor_id = h.subject_id or (a.resource_type = 'user' and a.resource_id = h.subject_id)))
          or (h.subject_kind = 'person' and a.resource_type = 'session' and exists (
                select 1 from sessions s where s.id = a.resource_id and s.tenant_id = h.tenant_id and s.owner_id = h.subject_id))
          or (a.resource_type in ('session', 'attempt') and exists (
                select 1 from attempts t
                 where t.tenant_id = h.tenant_id
                   and ((a.resource_type = 'attempt' and t.id = a.resource_id) or (a.resource_type = 'session' and t.session_id = a.resource_id))
                   and ((h.subject_kind = 'attempt' and h.subject_id = t.id) or (h.subject_kind = 'person' and h.subject_id = t.student_id))))))`;

export interface AuditCutPoint {
  /** The first and last entry that may go: the chain's oldest, up to the last written before the cutoff. */
  fromSeq: number;
  throughSeq: number;
  oldestAt: Date;
  newestAt: Date;
  /** The oldest expired entry about a held subject, where the cut stops (a chain is cut at its start only). */
  heldFrom: number | null;
}

/**
 * How far a tenant's chain may be cut now: its entries in chain order from the start (the anchor),
 * up to the first written at or after `cutoff` and the first about a subject under an active legal
 * hold, whichever comes first. Undefined when not one entry may go.
 */
export async function auditCutPoint(db: Kysely<DB>, chain: string, cutoff: Date): Promise<AuditCutPoint | undefined> {
  const bounds = await sql<{ anchor_seq: string | null; head: string | null; first_kept: string | null; first_held: string | null }>`
    with b as (select coalesce((select seq from audit_anchors where chain = ${chain}), 0) as anchor_seq)
    select b.anchor_seq,
           (select seq from audit_heads where chain = ${chain}) as head,
           (select min(seq) from audit_log where chain = ${chain} and seq > b.anchor_seq and "at" >= ${cutoff}) as first_kept,
           (select min(a.seq) from audit_log a where a.chain = ${chain} and a.seq > b.anchor_seq and a."at" < ${cutoff} and ${ABOUT_HELD}) as first_held
      from b`.execute(db);
  const row = bounds.rows[0];
  if (!row || row.head === null) return undefined;
  const after = Number(row.anchor_seq ?? 0);
  const head = Number(row.head);
  const firstKept = row.first_kept === null ? head + 1 : Number(row.first_kept);
  const heldFrom = row.first_held === null ? null : Number(row.first_held);
  const throughSeq = Math.min(firstKept, heldFrom ?? head + 1) - 1;
  if (throughSeq <= after) return undefined;
  const span = await sql<{ oldest: Date; newest: Date }>`
    select min("at") as oldest, max("at") as newest from audit_log where chain = ${chain} and seq > ${after} and seq <= ${throughSeq}`.execute(db);
  return {
    fromSeq: after + 1,
    throughSeq,
    oldestAt: new Date(span.rows[0]!.oldest),
    newestAt: new Date(span.rows[0]!.newest),
    heldFrom: heldFrom !== null && heldFrom <= firstKept ? heldFrom : null,
  };
}

/** The entries of a cut, in chain order (what a dry run lists), at most `limit`. */
export const entriesOfCut = (db: Kysely<DB>, chain: string, cut: { fromSeq: number; throughSeq: number }, limit: number) =>
  db
    .selectFrom('audit_log')
    .select(['seq', 'at', 'action', 'resource_type', 'resource_id'])
    .where('chain', '=', chain)
    .where(sql<boolean>`seq >= ${cut.fromSeq} and seq <= ${cut.throughSeq}`)
    .orderBy('seq')
    .limit(limit)
    .execute();
