import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { ClassesTable, DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';
import type { UserRow } from './users.repository';

export type ClassRow = Selectable<ClassesTable>;
export type MemberRow = Pick<UserRow, 'id' | 'display_name' | 'email' | 'enrollment_id' | 'status'>;

/** Which of a tenant's classes a person sees: all (an admin), a teacher's own, or those of the teachers an observer is attached to. */
export type ClassVisibility = { kind: 'all' } | { kind: 'teacher'; teacherId: string } | { kind: 'observer'; observerId: string };

export interface ClassPosition {
  name: string;
  id: string;
}

function visible(db: Kysely<DB>, tenantId: TenantId, visibility: ClassVisibility) {
  const query = db.selectFrom('classes').selectAll().where('tenant_id', '=', tenantId);
  switch (visibility.kind) {
    case 'all':
      return query;
    case 'teacher':
      return query.where('teacher_id', '=', visibility.teacherId);
    case 'observer':
      return query.where('teacher_id', 'in', (eb) =>
        eb.selectFrom('observer_links').select('teacher_id').where('tenant_id', '=', tenantId).where('observer_id', '=', visibility.observerId),
      );
  }
}

/** The classes a person sees, by name then id, a page at a time. */
export async function listClasses(
  db: Kysely<DB>,
  tenantId: TenantId,
  visibility: ClassVisibility,
  page: { after?: ClassPosition; teacherId?: string; limit: number },
): Promise<ClassRow[]> {
  let query = visible(db, tenantId, visibility);
  if (page.teacherId !== undefined) query = query.where('teacher_id', '=', page.teacherId);
  if (page.after) query = query.where(sql<boolean>`(name, id) > (${page.after.name}, ${page.after.id})`);
  return query.orderBy('name').orderBy('id').limit(page.limit).execute();
}

/** A class the person sees; anything else (another tenant's, another teacher's, unknown) is undefined alike. */
export async function findClass(db: Kysely<DB>, tenantId: TenantId, id: string, visibility: ClassVisibility): Promise<ClassRow | undefined> {
  return visible(db, tenantId, visibility).where('id', '=', id).executeTakeFirst();
}

/** `findClass`, its row locked until the transaction ends (a change, a deletion, or its members). */
export async function lockClass(db: Kysely<DB>, tenantId: TenantId, id: string, visibility: ClassVisibility): Promise<ClassRow | undefined> {
  return visible(db, tenantId, visibility).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertClass(db: Kysely<DB>, row: Insertable<ClassesTable>): Promise<ClassRow> {
  return db.insertInto('classes').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateClass(db: Kysely<DB>, tenantId: TenantId, id: string, changes: Updateable<ClassesTable>): Promise<ClassRow | undefined> {
  return db.updateTable('classes').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Deletes a class and (by cascade) its memberships; returns how many members it had. */
export async function deleteClass(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<number> {
  const members = await countMembers(db, tenantId, id);
  await db.deleteFrom('classes').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  return members;
}

export async function countMembers(db: Kysely<DB>, tenantId: TenantId, classId: string): Promise<number> {
  const row = await db
    .selectFrom('class_members')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('class_id', '=', classId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A class's students, by display name. */
export async function listMembers(db: Kysely<DB>, tenantId: TenantId, classId: string): Promise<MemberRow[]> {
  return db
    .selectFrom('class_members')
    .innerJoin('users', 'users.id', 'class_members.user_id')
    .select(['users.id', 'users.display_name', 'users.email', 'users.enrollment_id', 'users.status'])
    .where('class_members.tenant_id', '=', tenantId)
    .where('users.tenant_id', '=', tenantId)
    .where('class_members.class_id', '=', classId)
    .orderBy('users.display_name')
    .orderBy('users.id')
    .execute();
}

/** True when the student was not a member yet. */
export async function addMember(db: Kysely<DB>, tenantId: TenantId, classId: string, userId: string): Promise<boolean> {
  const r = await db
    .insertInto('class_members')
    .values({ tenant_id: tenantId, class_id: classId, user_id: userId })
    .onConflict((oc) => oc.columns(['class_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** True when the student was a member. */
export async function removeMember(db: Kysely<DB>, tenantId: TenantId, classId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('class_members')
    .where('tenant_id', '=', tenantId)
    .where('class_id', '=', classId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Removes a user from every class (they are no longer a student); returns how many. */
export async function removeMemberships(db: Kysely<DB>, tenantId: TenantId, userId: string): Promise<number> {
  const r = await db.deleteFrom('class_members').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** How many classes a teacher teaches. */
export async function countClassesOf(db: Kysely<DB>, tenantId: TenantId, teacherId: string): Promise<number> {
  const row = await db
    .selectFrom('classes')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('teacher_id', '=', teacherId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
