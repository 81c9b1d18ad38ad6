import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';
import { PENDING } from '../review';
import type { AttemptResultRow } from './dashboards.repository';

/**
 * A student's detail for the people who teach them (GET /v1/students/{studentId}): who may see which
 * student and which of their attempts, in SQL. Every query takes the tenant.
 *
 * Staleness (ADR 0031): every query here runs on the read replica when one is configured and
 * tolerates VERITAS_REPLICA_MAX_LAG_MS (10 s by default) plus one probe interval.
 */

/** Who reads: an admin (the whole tenant), a teacher, or an observer (through the teachers they are attached to). */
export type Viewer = { kind: 'admin' } | { kind: 'teacher'; userId: string } | { kind: 'observer'; userId: string };

/** The teachers whose reach a viewer has, as SQL for `x in (...)`: the teacher themself, or an observer's teachers. */
function teachersOf(tenantId: TenantId, viewer: Exclude<Viewer, { kind: 'admin' }>): RawBuilder<unknown> {
  return viewer.kind === 'teacher'
    ? sql`${viewer.userId}`
    : sql`select ol.teacher_id from observer_links as ol where ol.tenant_id = ${tenantId} and ol.observer_id = ${viewer.userId}`;
}

/** The ids of the exams a viewer's teachers own or co-teach (an admin: the tenant's), as a subquery. */
function viewedExamIds(db: Kysely<DB>, tenantId: TenantId, viewer: Viewer) {
  const q = db.selectFrom('exams').select('exams.id').where('exams.tenant_id', '=', tenantId);
  if (viewer.kind === 'admin') return q;
  const teachers = teachersOf(tenantId, viewer);
  return q.where(
    sql<boolean>`(exams.owner_id in (${teachers}) or exists (
      select 1 from exam_co_teachers as ct where ct.exam_id = exams.id and ct.tenant_id = ${tenantId} and ct.user_id in (${teachers})
    ))`,
  );
}

export interface StudentRow {
  id: string;
  email: string;
  display_name: string;
  enrollment_id: string | null;
  status: string;
}

/**
 * The student, if the viewer may see them: an admin of the tenant; the teacher of one of their classes,
 * or a teacher who owns or co-teaches an exam they took; an observer attached to such a teacher.
 * Otherwise nothing, exactly as for an unknown id.
 */
export async function findViewableStudent(db: Kysely<DB>, tenantId: TenantId, studentId: string, viewer: Viewer): Promise<StudentRow | undefined> {
  let q = db
    .selectFrom('users as u')
    .select(['u.id', 'u.email', 'u.display_name', 'u.enrollment_id', 'u.status'])
    .where('u.tenant_id', '=', tenantId)
    .where('u.id', '=', studentId)
    .where('u.role', '=', 'student');
  if (viewer.kind !== 'admin') {
    const teachers = teachersOf(tenantId, viewer);
    q = q.where((eb) =>
      eb.or([
        sql<boolean>`exists (
          select 1 from class_members as cm join classes as c on c.id = cm.class_id and c.tenant_id = ${tenantId}
          where cm.tenant_id = ${tenantId} and cm.user_id = u.id and c.teacher_id in (${teachers})
        )`,
        eb.exists(
          eb
            .selectFrom('attempts as a')
            .select('a.id')
            .whereRef('a.student_id', '=', 'u.id')
            .where('a.tenant_id', '=', tenantId)
            .where('a.exam_id', 'in', viewedExamIds(db, tenantId, viewer)),
        ),
      ]),
    );
  }
  return q.executeTakeFirst();
}

export interface StudentClassRow {
  id: string;
  name: string;
  teacher_id: string;
  teacher_name: string;
}

/** The student's classes in the tenant with their teacher, by name (at most `limit`). */
export async function studentClasses(db: Kysely<DB>, tenantId: TenantId, studentId: string, limit: number): Promise<StudentClassRow[]> {
  return db
    .selectFrom('class_members as cm')
    .innerJoin('classes as c', (j) => j.onRef('c.id', '=', 'cm.class_id').on('c.tenant_id', '=', tenantId))
    .innerJoin('users as tu', (j) => j.onRef('tu.id', '=', 'c.teacher_id').on('tu.tenant_id', '=', tenantId))
    .select(['c.id', 'c.name', 'c.teacher_id', 'tu.display_name as teacher_name'])
    .where('cm.tenant_id', '=', tenantId)
    .where('cm.user_id', '=', studentId)
    .orderBy('c.name')
    .orderBy('c.id')
    .limit(limit)
    .execute();
}

export interface ViewedAttemptRow extends AttemptResultRow {
  flags: number;
  pending: number;
}

/** A flag still waiting for a person (the review queue's "pending", as modules/review defines it). */
const waiting = sql<boolean>`(rf.state in (${sql.join([...PENDING])}) or rf.changed_since_decision)`;

/** The student's attempts at the exams the viewer reaches, newest first, with the analysis headline and the flags of each. */
export async function viewedAttempts(db: Kysely<DB>, tenantId: TenantId, studentId: string, viewer: Viewer, limit: number): Promise<ViewedAttemptRow[]> {
  const flags = db
    .selectFrom('review_flags as rf')
    .select(['rf.session_id', sql<number>`count(*)::int`.as('flags'), sql<number>`(count(*) filter (where ${waiting}))::int`.as('pending')])
    .where('rf.tenant_id', '=', tenantId)
    .where('rf.session_id', 'in', (eb) =>
      eb.selectFrom('attempts as sa').select('sa.session_id').where('sa.tenant_id', '=', tenantId).where('sa.student_id', '=', studentId),
    )
    .groupBy('rf.session_id')
    .as('fs');
  return db
    .selectFrom('attempts')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'attempts.exam_id').on('exams.tenant_id', '=', tenantId))
    .leftJoin('analyses as an', (j) => j.onRef('an.session_id', '=', 'attempts.session_id').on('an.tenant_id', '=', tenantId))
    .leftJoin(flags, 'fs.session_id', 'attempts.session_id')
    .select([
      'attempts.id',
      'attempts.exam_id',
      'exams.title',
      'exams.subject',
      'attempts.state',
      'attempts.session_id',
      'attempts.started_at',
      'attempts.finished_at',
      'attempts.score',
      'exams.max_score',
      'exams.pass_mark',
      sql<boolean>`exams.results_released_at is not null`.as('released'),
      sql<string | null>`an.result->'score'->>'risk'`.as('risk'),
      sql<number | null>`(an.result->'score'->>'integrity')::double precision`.as('integrity'),
      sql<string | null>`an.result->'score'->>'verdict'`.as('verdict'),
      sql<number>`coalesce(fs.flags, 0)`.as('flags'),
      sql<number>`coalesce(fs.pending, 0)`.as('pending'),
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.student_id', '=', studentId)
    .where('attempts.exam_id', 'in', viewedExamIds(db, tenantId, viewer))
    .orderBy('attempts.created_at', 'desc')
    .orderBy('attempts.id', 'desc')
    .limit(limit)
    .execute();
}
