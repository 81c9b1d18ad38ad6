import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

/** Attaches an observer to a teacher; true when the link is new. */
export async function linkObserver(db: Kysely<DB>, tenantId: TenantId, observerId: string, teacherId: string): Promise<boolean> {
  const r = await db
    .insertInto('observer_links')
    .values({ tenant_id: tenantId, observer_id: observerId, teacher_id: teacherId })
    .onConflict((oc) => oc.columns(['observer_id', 'teacher_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Detaches an observer from a teacher; true when there was a link. */
export async function unlinkObserver(db: Kysely<DB>, tenantId: TenantId, observerId: string, teacherId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('observer_links')
    .where('tenant_id', '=', tenantId)
    .where('observer_id', '=', observerId)
    .where('teacher_id', '=', teacherId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The teachers an observer is attached to. */
export async function teachersObservedBy(db: Kysely<DB>, tenantId: TenantId, observerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('observer_links')
    .select('teacher_id')
    .where('tenant_id', '=', tenantId)
    .where('observer_id', '=', observerId)
    .orderBy('teacher_id')
    .execute();
  return rows.map((r) => r.teacher_id);
}

/** Removes every link a user takes part in on one side (their role changed); returns how many. */
export async function removeObserverLinksOf(db: Kysely<DB>, tenantId: TenantId, userId: string, side: 'observer' | 'teacher'): Promise<number> {
  const r = await db
    .deleteFrom('observer_links')
    .where('tenant_id', '=', tenantId)
    .where(side === 'observer' ? 'observer_id' : 'teacher_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
