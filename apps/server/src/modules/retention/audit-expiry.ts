import type { Kysely } from 'kysely';
import { ANONYMOUS } from '../../kernel/actor';
import type { DB } from '../../platform/db/tables';
import { cutChain, lockChainHead, type AuditService } from '../audit';
import { auditCutPoint, entriesOfCut } from './audit-expiry.repository';
import { lockHolds } from './retention.repository';

export interface AuditExpiry {
  tenantId: string;
  /** The entries that went (or, in a dry run, would go): seq `fromSeq` through `throughSeq` of the tenant's chain. */
  fromSeq: number;
  throughSeq: number;
  entries: number;
  oldestAt: string;
  newestAt: string;
  policyDays: number;
  /** Where a legal hold stopped the cut (the oldest expired entry about a held subject), if it did. */
  heldFrom: number | null;
  /** The entries themselves, in chain order, in a dry run (the first LISTED). */
  listed?: { seq: number; at: string; action: string; resource: string }[];
}

/** Entries a dry run names one by one, per tenant; the range says the rest. */
export const LISTED = 1000;

/**
 * Applies a tenant's audit retention: the entries of its chain written before `cutoff` go, oldest
 * first, and stop at the first entry about a subject under a legal hold (the chain cannot skip it).
 * In one transaction that holds the hold lock (as a purge does: a hold placed before it always counts)
 * and the chain's head (nothing is appended meanwhile): the entries go, the anchor moves to the last
 * one, and an `audit.purge` entry recording the cut and the anchor is appended, so the chain verifies
 * from there and the cut itself stays on record.
 */
export async function expireAudit(
  db: Kysely<DB>,
  audit: AuditService,
  options: { tenantId: string; cutoff: Date; policyDays: number; dryRun: boolean; requestId: string },
): Promise<AuditExpiry | undefined> {
  const { tenantId, cutoff, policyDays } = options;
  const describe = (cut: NonNullable<Awaited<ReturnType<typeof auditCutPoint>>>, entries: number): AuditExpiry => ({
    tenantId,
    fromSeq: cut.fromSeq,
    throughSeq: cut.throughSeq,
    entries,
    oldestAt: cut.oldestAt.toISOString(),
    newestAt: cut.newestAt.toISOString(),
    policyDays,
    heldFrom: cut.heldFrom,
  });
  // Entries recorded in transactions just before (this sweep's own purges among them) join the chain
  // first, so the cut sees every committed entry (ADR 0033).
  await audit.linkPending(tenantId);
  if (options.dryRun) {
    const cut = await auditCutPoint(db, tenantId, cutoff);
    if (!cut) return undefined;
    const listed = await entriesOfCut(db, tenantId, cut, LISTED);
    return {
      ...describe(cut, cut.throughSeq - cut.fromSeq + 1),
      listed: listed.map((e) => ({
        seq: Number(e.seq),
        at: new Date(e.at).toISOString(),
        action: e.action,
        resource: `${e.resource_type}${e.resource_id === null ? '' : ` ${e.resource_id}`}`,
      })),
    };
  }
  return db.transaction().execute(async (trx) => {
    await lockHolds(trx);
    await lockChainHead(trx, tenantId);
    const cut = await auditCutPoint(trx, tenantId, cutoff);
    if (!cut) return undefined;
    const done = await cutChain(trx, tenantId, cut.throughSeq);
    if (!done) return undefined;
    const expiry = describe(cut, done.entries);
    await audit.record(
      {
        tenantId,
        actor: ANONYMOUS,
        action: 'audit.purge',
        resource: { type: 'audit-chain', id: tenantId },
        context: { ip: null, requestId: options.requestId },
        detail: {
          fromSeq: done.fromSeq,
          throughSeq: done.throughSeq,
          entries: done.entries,
          anchorHash: done.anchorHash,
          oldestAt: expiry.oldestAt,
          newestAt: expiry.newestAt,
          policyDays,
          heldFrom: cut.heldFrom,
        },
      },
      trx,
    );
    return expiry;
  });
}
