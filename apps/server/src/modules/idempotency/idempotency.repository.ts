import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { IdempotencyRecordsTable } from '../../platform/db/tables';

export type IdempotencyRow = Selectable<IdempotencyRecordsTable>;

export interface NewClaim {
  lookupHash: string;
  tenantId: string | null;
  fingerprint: string;
  claimedAt: Date;
  expiresAt: Date;
}

/** Inserts an in-flight record; false when one with this lookup hash exists already (another request, or a retry). */
export async function insertClaim(db: Db, claim: NewClaim): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_records')
    .values({
      lookup_hash: claim.lookupHash,
      tenant_id: claim.tenantId,
      fingerprint: claim.fingerprint,
      claimed_at: claim.claimedAt,
      expires_at: claim.expiresAt,
    })
    .onConflict((oc) => oc.column('lookup_hash').doNothing())
    .returning('lookup_hash')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findRecord(db: Db, lookupHash: string): Promise<IdempotencyRow | undefined> {
  return db.selectFrom('idempotency_records').selectAll().where('lookup_hash', '=', lookupHash).executeTakeFirst();
}

/**
 * Takes over a record nobody will complete: expired, or in flight since before `staleBefore` (its
 * process died mid-request). Conditional on what was read, so of two retries racing one wins.
 */
export async function takeOverClaim(db: Db, claim: NewClaim, seen: IdempotencyRow, staleBefore: Date): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_records')
    .set({
      fingerprint: claim.fingerprint,
      tenant_id: claim.tenantId,
      status: null,
      content_type: null,
      sealed_answer: null,
      claimed_at: claim.claimedAt,
      expires_at: claim.expiresAt,
    })
    .where('lookup_hash', '=', claim.lookupHash)
    .where('claimed_at', '=', seen.claimed_at)
    .where((eb) => eb.or([eb('expires_at', '<=', claim.claimedAt), eb.and([eb('status', 'is', null), eb('claimed_at', '<', staleBefore)])]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Stores the first request's answer (sealed) on its in-flight record. */
export async function completeClaim(db: Db, lookupHash: string, status: number, contentType: string | null, sealedAnswer: string): Promise<void> {
  await db
    .updateTable('idempotency_records')
    .set({ status, content_type: contentType, sealed_answer: sealedAnswer })
    .where('lookup_hash', '=', lookupHash)
    .where('status', 'is', null)
    .execute();
}

/** Forgets an in-flight record whose request failed, so a retry runs it again. */
export async function releaseClaim(db: Db, lookupHash: string): Promise<void> {
  await db.deleteFrom('idempotency_records').where('lookup_hash', '=', lookupHash).where('status', 'is', null).execute();
}

export async function deleteExpiredRecords(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_records').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
