import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { AttemptExternalAnalysesTable, AttemptsTable, DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type AttemptRow = Selectable<AttemptsTable>;
export type ExternalAnalysisRow = Selectable<AttemptExternalAnalysesTable>;

/** Which attempts a caller reaches: the tenant's (an admin, a key), those of exams a teacher owns or co-teaches, a student's own. */
export type AttemptReach = { kind: 'all' } | { kind: 'teacher'; userId: string } | { kind: 'student'; userId: string };

function reachable(db: Kysely<DB>, tenantId: TenantId, reach: AttemptReach) {
  const query = db.selectFrom('attempts').selectAll('attempts').where('attempts.tenant_id', '=', tenantId);
  switch (reach.kind) {
    case 'all':
      return query;
    case 'student':
      return query.where('attempts.student_id', '=', reach.userId);
    case 'teacher':
      return query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('exams')
            .select('exams.id')
            .whereRef('exams.id', '=', 'attempts.exam_id')
            .where('exams.tenant_id', '=', tenantId)
            .where((e) =>
              e.or([
                e('exams.owner_id', '=', reach.userId),
                e.exists(
                  e
                    .selectFrom('exam_co_teachers')
                    .select('exam_co_teachers.exam_id')
                    .whereRef('exam_co_teachers.exam_id', '=', 'exams.id')
                    .where('exam_co_teachers.user_id', '=', reach.userId),
                ),
              ]),
            ),
        ),
      );
  }
}

export async function findAttempt(db: Kysely<DB>, tenantId: TenantId, id: string, reach: AttemptReach): Promise<AttemptRow | undefined> {
  return reachable(db, tenantId, reach).where('attempts.id', '=', id).executeTakeFirst();
}

/** The attempt's row locked until the transaction ends: every move of the state machine is made on it. */
export async function lockAttempt(db: Kysely<DB>, tenantId: TenantId, id: string, reach: AttemptReach): Promise<AttemptRow | undefined> {
  return reachable(db, tenantId, reach).where('attempts.id', '=', id).forUpdate().executeTakeFirst();
}

/** A student's attempt at an exam, made not_started if there is none yet, and locked. */
export async function lockOrCreateAttempt(db: Kysely<DB>, row: Insertable<AttemptsTable>): Promise<AttemptRow> {
  await db
    .insertInto('attempts')
    .values(row)
    .onConflict((oc) => oc.columns(['exam_id', 'student_id']).doNothing())
    .execute();
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('tenant_id', '=', row.tenant_id)
    .where('exam_id', '=', row.exam_id)
    .where('student_id', '=', row.student_id)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function listAttempts(db: Kysely<DB>, tenantId: TenantId, examId: string, reach: AttemptReach): Promise<AttemptRow[]> {
  return reachable(db, tenantId, reach).where('attempts.exam_id', '=', examId).orderBy('attempts.created_at').orderBy('attempts.id').limit(10_000).execute();
}

export async function updateAttempt(db: Kysely<DB>, tenantId: TenantId, id: string, changes: Updateable<AttemptsTable>): Promise<AttemptRow> {
  return db.updateTable('attempts').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** In-progress attempts of every tenant whose deadline has passed, oldest first: what the time-out job takes. */
export async function overdueAttempts(db: Kysely<DB>, now: Date, limit: number): Promise<{ id: string; tenant_id: string }[]> {
  return db
    .selectFrom('attempts')
    .select(['id', 'tenant_id'])
    .where('state', '=', 'in_progress')
    .where('deadline_at', '<=', now)
    .orderBy('deadline_at')
    .limit(limit)
    .execute();
}

export async function insertExternalAnalysis(db: Kysely<DB>, row: Insertable<AttemptExternalAnalysesTable>): Promise<ExternalAnalysisRow> {
  return db.insertInto('attempt_external_analyses').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listExternalAnalyses(db: Kysely<DB>, tenantId: TenantId, attemptIds: readonly string[]): Promise<ExternalAnalysisRow[]> {
  if (attemptIds.length === 0) return [];
  return db
    .selectFrom('attempt_external_analyses')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('attempt_id', 'in', attemptIds)
    .orderBy('received_at')
    .orderBy('id')
    .execute();
}
