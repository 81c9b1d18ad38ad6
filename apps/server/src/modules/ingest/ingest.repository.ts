import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';

export type LockedSession = Pick<SessionRow, 'id' | 'tenant_id' | 'status' | 'next_seq' | 'head_hash' | 'last_t' | 'write_key'> & {
  closed: boolean;
  /** The session has batches held ahead of a gap: the group reads them (listHeldBatches) before deciding. */
  has_held: boolean;
};

/**
 * Locks the sessions of a commit group (in id order, so concurrent groups never deadlock) and says
 * which have held batches, in one round trip. Held batches are rare (a batch that overtook an earlier
 * one), so the group reads them only for those sessions instead of always asking: one statement fewer
 * per commit on the common path. Held batches change only under their session's lock, so the flag
 * read here stays true for the rest of the transaction.
 */
export function lockSessionsForGroup(db: Db, ids: string[]): Promise<LockedSession[]> {
  const sorted = [...ids].sort();
  return (
    db
      .selectFrom('sessions')
      .select(['id', 'tenant_id', 'status', 'next_seq', 'head_hash', 'last_t', 'write_key'])
      // An attempt's session (closes_at set) is closed past its deadline, and once ended (submitted, timed out).
      .select(sql<boolean>`closes_at is not null and (status = 'ended' or closes_at <= now())`.as('closed'))
      .select(sql<boolean>`exists (select 1 from held_batches h where h.session_id = sessions.id)`.as('has_held'))
      .where('id', 'in', sorted)
      .orderBy('id')
      .forUpdate()
      .execute()
  );
}
