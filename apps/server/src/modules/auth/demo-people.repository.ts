import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';

/** The demo class and the observer's link, each inserted once (fixed ids: seeding again changes nothing). */
export async function insertDemoClass(
  db: Kysely<DB>,
  c: { id: string; tenantId: string; name: string; teacherId: string; studentIds: string[]; observerId: string },
): Promise<void> {
  await db
    .insertInto('classes')
    .values({ id: c.id, tenant_id: c.tenantId, name: c.name, teacher_id: c.teacherId })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  for (const userId of c.studentIds) {
    await db
      .insertInto('class_members')
      .values({ class_id: c.id, user_id: userId, tenant_id: c.tenantId })
      .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
      .execute();
  }
  await db
    .insertInto('observer_links')
    .values({ tenant_id: c.tenantId, observer_id: c.observerId, teacher_id: c.teacherId })
    .onConflict((oc) => oc.columns(['observer_id', 'teacher_id']).doNothing())
    .execute();
}
