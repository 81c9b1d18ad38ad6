import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB, ExamsTable } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type ExamRow = Selectable<ExamsTable>;

/**
 * Which of a tenant's exams a caller reaches: all (an admin, a partner's key), those a teacher owns or
 * co-teaches, or, for a student, those of their classes that have opened and are not archived
 * (`openOnly`: and have not closed yet, for the student's list).
 */
export type ExamReach =
  | { kind: 'all' }
  | { kind: 'teacher'; userId: string }
  | { kind: 'student'; userId: string; now: Date; openOnly?: boolean }
  | { kind: 'owner'; userId: string };

function reachable(db: Kysely<DB>, tenantId: TenantId, reach: ExamReach) {
  const query = db.selectFrom('exams').selectAll('exams').where('exams.tenant_id', '=', tenantId);
  switch (reach.kind) {
    case 'all':
      return query;
    case 'owner':
      return query.where('exams.owner_id', '=', reach.userId);
    case 'teacher':
      return query.where((eb) =>
        eb.or([
          eb('exams.owner_id', '=', reach.userId),
          eb.exists(
            eb
              .selectFrom('exam_co_teachers')
              .select('exam_co_teachers.exam_id')
              .whereRef('exam_co_teachers.exam_id', '=', 'exams.id')
              .where('exam_co_teachers.tenant_id', '=', tenantId)
              .where('exam_co_teachers.user_id', '=', reach.userId),
          ),
        ]),
      );
    case 'student': {
      let q = query
        .where('exams.archived_at', 'is', null)
        .where('exams.opens_at', '<=', reach.now)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('exam_classes')
              .innerJoin('class_members', 'class_members.class_id', 'exam_classes.class_id')
              .select('exam_classes.exam_id')
              .whereRef('exam_classes.exam_id', '=', 'exams.id')
              .where('exam_classes.tenant_id', '=', tenantId)
              .where('class_members.tenant_id', '=', tenantId)
              .where('class_members.user_id', '=', reach.userId),
          ),
        );
      if (reach.openOnly) q = q.where('exams.closes_at', '>', reach.now);
      return q;
    }
  }
}

export async function listExams(db: Kysely<DB>, tenantId: TenantId, reach: ExamReach, page: { after?: string; limit: number }): Promise<ExamRow[]> {
  let query = reachable(db, tenantId, reach);
  if (page.after !== undefined) query = query.where('exams.id', '>', page.after);
  return query.orderBy('exams.id').limit(page.limit).execute();
}

export async function findExam(db: Kysely<DB>, tenantId: TenantId, id: string, reach: ExamReach): Promise<ExamRow | undefined> {
  return reachable(db, tenantId, reach).where('exams.id', '=', id).executeTakeFirst();
}

/** `findExam`, its row locked until the transaction ends. */
export async function lockExam(db: Kysely<DB>, tenantId: TenantId, id: string, reach: ExamReach): Promise<ExamRow | undefined> {
  return reachable(db, tenantId, reach).where('exams.id', '=', id).forUpdate().executeTakeFirst();
}

export async function insertExam(db: Kysely<DB>, row: Insertable<ExamsTable>): Promise<ExamRow> {
  return db.insertInto('exams').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateExam(db: Kysely<DB>, tenantId: TenantId, id: string, changes: Updateable<ExamsTable>): Promise<ExamRow> {
  return db
    .updateTable('exams')
    .set({ ...changes, updated_at: sql`now()` as never })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Replaces an exam's classes. */
export async function setExamClasses(db: Kysely<DB>, tenantId: TenantId, examId: string, classIds: readonly string[]): Promise<void> {
  await db.deleteFrom('exam_classes').where('tenant_id', '=', tenantId).where('exam_id', '=', examId).execute();
  if (classIds.length > 0)
    await db
      .insertInto('exam_classes')
      .values(classIds.map((class_id) => ({ exam_id: examId, class_id, tenant_id: tenantId })))
      .execute();
}

export async function examClassIds(db: Kysely<DB>, tenantId: TenantId, examIds: readonly string[]): Promise<Map<string, string[]>> {
  return grouped(
    examIds.length === 0
      ? []
      : await db
          .selectFrom('exam_classes')
          .select(['exam_id', 'class_id as v'])
          .where('tenant_id', '=', tenantId)
          .where('exam_id', 'in', examIds)
          .orderBy('class_id')
          .execute(),
  );
}

export async function examCoTeacherIds(db: Kysely<DB>, tenantId: TenantId, examIds: readonly string[]): Promise<Map<string, string[]>> {
  return grouped(
    examIds.length === 0
      ? []
      : await db
          .selectFrom('exam_co_teachers')
          .select(['exam_id', 'user_id as v'])
          .where('tenant_id', '=', tenantId)
          .where('exam_id', 'in', examIds)
          .orderBy('user_id')
          .execute(),
  );
}

function grouped(rows: { exam_id: string; v: string }[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) (out.get(r.exam_id) ?? out.set(r.exam_id, []).get(r.exam_id)!).push(r.v);
  return out;
}

/** The classes of `ids` in the tenant (a teacher's own only, when `teacherId` is given): the ids found. */
export async function existingClasses(db: Kysely<DB>, tenantId: TenantId, ids: readonly string[], teacherId?: string): Promise<string[]> {
  if (ids.length === 0) return [];
  let q = db.selectFrom('classes').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids);
  if (teacherId !== undefined) q = q.where('teacher_id', '=', teacherId);
  return (await q.forShare().execute()).map((r) => r.id);
}

/** True when the co-teacher was not one yet. */
export async function addCoTeacher(db: Kysely<DB>, tenantId: TenantId, examId: string, userId: string): Promise<boolean> {
  const r = await db
    .insertInto('exam_co_teachers')
    .values({ exam_id: examId, user_id: userId, tenant_id: tenantId })
    .onConflict((oc) => oc.columns(['exam_id', 'user_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function removeCoTeacher(db: Kysely<DB>, tenantId: TenantId, examId: string, userId: string): Promise<boolean> {
  const r = await db
    .deleteFrom('exam_co_teachers')
    .where('tenant_id', '=', tenantId)
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Whether the student is in one of the exam's classes. */
export async function isExamStudent(db: Kysely<DB>, tenantId: TenantId, examId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('exam_classes')
    .innerJoin('class_members', 'class_members.class_id', 'exam_classes.class_id')
    .select('exam_classes.exam_id')
    .where('exam_classes.tenant_id', '=', tenantId)
    .where('class_members.tenant_id', '=', tenantId)
    .where('exam_classes.exam_id', '=', examId)
    .where('class_members.user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
