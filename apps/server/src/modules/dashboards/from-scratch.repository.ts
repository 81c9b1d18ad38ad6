import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';
import { COPY_DETECTORS } from '@veritas/analysis';
import { PENDING } from '../review';
import type { ExamAttemptRow, Managed, ManagedExamRow, StudentAttemptRow, StudentSummaryRow, TriageRow } from './dashboards.repository';

/**
 * The dashboards' reads computed from scratch from the source tables (attempts, exams, analyses,
 * review flags), as they were before the aggregates of schema step 0011 (ADR 0018). Not served: the
 * reference the aggregate-backed reads of dashboards.repository.ts are tested against
 * (dashboard-aggregates.test.ts), and the "before" of bench/dashboards.
 */

const waiting = sql<boolean>`(review_flags.state in (${sql.join([...PENDING])}) or review_flags.changed_since_decision)`;

function managedExam(eb: ExpressionBuilder<DB, 'exams'>, tenantId: TenantId, managed: Managed) {
  if (managed.kind === 'all') return eb('exams.tenant_id', '=', tenantId);
  return eb.and([
    eb('exams.tenant_id', '=', tenantId),
    eb.or([
      eb('exams.owner_id', '=', managed.userId),
      eb.exists(
        eb
          .selectFrom('exam_co_teachers')
          .select('exam_co_teachers.exam_id')
          .whereRef('exam_co_teachers.exam_id', '=', 'exams.id')
          .where('exam_co_teachers.tenant_id', '=', tenantId)
          .where('exam_co_teachers.user_id', '=', managed.userId),
      ),
    ]),
  ]);
}

const risk = sql<string | null>`an.result->'score'->>'risk'`;
const integrity = sql<number | null>`(an.result->'score'->>'integrity')::double precision`;
const verdict = sql<string | null>`an.result->'score'->>'verdict'`;
const writing = (path: string) => sql<number | null>`(an.result->'metrics'->'writing'${sql.raw(path)})::double precision`;

function managedExamIds(db: Kysely<DB>, tenantId: TenantId, managed: Managed) {
  return db
    .selectFrom('exams')
    .select('exams.id')
    .where((eb) => managedExam(eb, tenantId, managed));
}

function sessionsOf(db: Kysely<DB>, tenantId: TenantId, exams: ReturnType<typeof managedExamIds> | string) {
  const q = db.selectFrom('attempts as sa').select('sa.session_id').where('sa.tenant_id', '=', tenantId);
  return typeof exams === 'string' ? q.where('sa.exam_id', '=', exams) : q.where('sa.exam_id', 'in', exams);
}

function flagsBySession(db: Kysely<DB>, tenantId: TenantId, sessions: ReturnType<typeof sessionsOf>) {
  return db
    .selectFrom('review_flags')
    .select([
      'review_flags.session_id',
      sql<number>`count(*)::int`.as('flags'),
      sql<number>`count(*) filter (where ${waiting})::int`.as('pending'),
      sql<number>`coalesce(max(review_flags.severity_rank) filter (where ${waiting}), 0)::int`.as('pending_rank'),
    ])
    .where('review_flags.tenant_id', '=', tenantId)
    .where('review_flags.session_id', 'in', sessions)
    .groupBy('review_flags.session_id');
}

/** A student's attempts, newest first, with their exam and analysis headline. */
export async function studentAttemptsFromScratch(db: Kysely<DB>, tenantId: TenantId, studentId: string, limit: number): Promise<StudentAttemptRow[]> {
  return db
    .selectFrom('attempts')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'attempts.exam_id').on('exams.tenant_id', '=', tenantId))
    .leftJoin('analyses as an', (j) => j.onRef('an.session_id', '=', 'attempts.session_id').on('an.tenant_id', '=', tenantId))
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
      risk.as('risk'),
      integrity.as('integrity'),
      verdict.as('verdict'),
      sql<boolean>`coalesce(exists (
        select 1 from jsonb_array_elements(an.result->'flags') as f
        where f->>'detector' in (${sql.join([...COPY_DETECTORS])}) and f->>'severity' = 'high'
          and not exists (
            select 1 from review_flags as rf
            where rf.tenant_id = ${tenantId} and rf.session_id = attempts.session_id and rf.kind = f->>'detector' and rf.state = 'dismissed'
          )
      ), false)`.as('copy_sign'),
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.student_id', '=', studentId)
    .orderBy('attempts.created_at', 'desc')
    .orderBy('attempts.id', 'desc')
    .limit(limit)
    .execute();
}

/** Over all the student's attempts: how many, how many released results, passed, their average (as % of the max score), and flags waiting about them. */
export async function studentSummaryFromScratch(db: Kysely<DB>, tenantId: TenantId, studentId: string): Promise<StudentSummaryRow> {
  const released = sql`exams.results_released_at is not null and attempts.score is not null`;
  const counts = await db
    .selectFrom('attempts')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'attempts.exam_id').on('exams.tenant_id', '=', tenantId))
    .select([
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where ${released}))::int`.as('released'),
      sql<number>`(count(*) filter (where ${released} and attempts.score >= exams.pass_mark))::int`.as('passed'),
      sql<number | null>`(avg(100.0 * attempts.score / exams.max_score) filter (where ${released}))::double precision`.as('average_percent'),
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.student_id', '=', studentId)
    .executeTakeFirstOrThrow();
  const flags = await db
    .selectFrom('review_flags')
    .innerJoin('sessions', 'sessions.id', 'review_flags.session_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('review_flags.tenant_id', '=', tenantId)
    .where('sessions.tenant_id', '=', tenantId)
    .where('sessions.owner_kind', '=', 'user')
    .where('sessions.owner_id', '=', studentId)
    .where(waiting)
    .executeTakeFirstOrThrow();
  return { ...counts, open_flags: flags.n };
}

/** The exams a teacher manages (not archived), latest closing first, with their attempt counts and flags waiting. */
export async function managedExamsFromScratch(db: Kysely<DB>, tenantId: TenantId, managed: Managed, limit: number): Promise<ManagedExamRow[]> {
  const counts = db
    .selectFrom('attempts')
    .select([
      'attempts.exam_id',
      sql<number>`count(*)::int`.as('attempts'),
      sql<number>`(count(*) filter (where attempts.state = 'in_progress'))::int`.as('in_progress'),
      sql<number>`(count(*) filter (where attempts.state in ('submitted', 'abandoned', 'timed_out', 'graded')))::int`.as('finished'),
      sql<number>`(count(*) filter (where attempts.state = 'graded'))::int`.as('graded'),
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.exam_id', 'in', managedExamIds(db, tenantId, managed))
    .groupBy('attempts.exam_id')
    .as('ac');
  const flags = db
    .selectFrom('attempts')
    .innerJoin(flagsBySession(db, tenantId, sessionsOf(db, tenantId, managedExamIds(db, tenantId, managed))).as('fs'), 'fs.session_id', 'attempts.session_id')
    .select(['attempts.exam_id', sql<number>`sum(fs.pending)::int`.as('pending')])
    .where('attempts.tenant_id', '=', tenantId)
    .groupBy('attempts.exam_id')
    .as('af');
  return db
    .selectFrom('exams')
    .leftJoin(counts, 'ac.exam_id', 'exams.id')
    .leftJoin(flags, 'af.exam_id', 'exams.id')
    .select([
      'exams.id',
      'exams.title',
      'exams.subject',
      'exams.kind',
      'exams.owner_id',
      'exams.opens_at',
      'exams.closes_at',
      sql<boolean>`exams.results_released_at is not null`.as('released'),
      sql<number>`coalesce(ac.attempts, 0)`.as('attempts'),
      sql<number>`coalesce(ac.in_progress, 0)`.as('in_progress'),
      sql<number>`coalesce(ac.finished, 0)`.as('finished'),
      sql<number>`coalesce(ac.graded, 0)`.as('graded'),
      sql<number>`coalesce(af.pending, 0)`.as('pending_flags'),
    ])
    .where((eb) => managedExam(eb, tenantId, managed))
    .where('exams.archived_at', 'is', null)
    .orderBy('exams.closes_at', 'desc')
    .orderBy('exams.id')
    .limit(limit)
    .execute();
}

/** Flags waiting for a person on the attempts of the exams managed (archived ones too: their flags still wait). */
export async function pendingFlagCountFromScratch(db: Kysely<DB>, tenantId: TenantId, managed: Managed): Promise<number> {
  const row = await db
    .selectFrom('review_flags')
    .innerJoin('attempts', (j) => j.onRef('attempts.session_id', '=', 'review_flags.session_id').on('attempts.tenant_id', '=', tenantId))
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'attempts.exam_id').on('exams.tenant_id', '=', tenantId))
    .select(sql<number>`count(*)::int`.as('n'))
    .where('review_flags.tenant_id', '=', tenantId)
    .where(waiting)
    .where((eb) => managedExam(eb, tenantId, managed))
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * The attempts (with a session) of the exams managed, by unreviewed risk: those with flags waiting
 * first, by the highest severity waiting, then by integrity (lowest first; not yet scored last).
 */
export async function triageFromScratch(db: Kysely<DB>, tenantId: TenantId, managed: Managed, page: { limit: number; offset: number }): Promise<TriageRow[]> {
  return db
    .selectFrom('attempts')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'attempts.exam_id').on('exams.tenant_id', '=', tenantId))
    .innerJoin('users', (j) => j.onRef('users.id', '=', 'attempts.student_id').on('users.tenant_id', '=', tenantId))
    .leftJoin('analyses as an', (j) => j.onRef('an.session_id', '=', 'attempts.session_id').on('an.tenant_id', '=', tenantId))
    .leftJoin(flagsBySession(db, tenantId, sessionsOf(db, tenantId, managedExamIds(db, tenantId, managed))).as('fs'), 'fs.session_id', 'attempts.session_id')
    .select([
      'attempts.id',
      'attempts.exam_id',
      'exams.title as exam_title',
      'attempts.student_id',
      'users.display_name as student_name',
      'attempts.state',
      'attempts.session_id',
      'attempts.finished_at',
      risk.as('risk'),
      integrity.as('integrity'),
      sql<number>`coalesce(fs.flags, 0)`.as('flags'),
      sql<number>`coalesce(fs.pending, 0)`.as('pending'),
      sql<number>`coalesce(fs.pending_rank, 0)`.as('pending_rank'),
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.session_id', 'is not', null)
    .where((eb) => managedExam(eb, tenantId, managed))
    .orderBy(sql`coalesce(fs.pending, 0) > 0`, 'desc')
    .orderBy(sql`coalesce(fs.pending_rank, 0)`, 'desc')
    .orderBy(sql`(an.result->'score'->>'integrity')::double precision asc nulls last`)
    .orderBy('attempts.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

/** Every attempt of the exam (up to `limit`) with its student, analysis headline, the writing metrics compared, and its flags. */
export async function examAttemptsFromScratch(db: Kysely<DB>, tenantId: TenantId, examId: string, limit: number): Promise<ExamAttemptRow[]> {
  return db
    .selectFrom('attempts')
    .innerJoin('users', (j) => j.onRef('users.id', '=', 'attempts.student_id').on('users.tenant_id', '=', tenantId))
    .leftJoin('analyses as an', (j) => j.onRef('an.session_id', '=', 'attempts.session_id').on('an.tenant_id', '=', tenantId))
    .leftJoin(flagsBySession(db, tenantId, sessionsOf(db, tenantId, examId)).as('fs'), 'fs.session_id', 'attempts.session_id')
    .select([
      'attempts.id',
      'attempts.student_id',
      'users.display_name as student_name',
      'users.email as student_email',
      'attempts.state',
      'attempts.session_id',
      'attempts.started_at',
      'attempts.finished_at',
      'attempts.score',
      risk.as('risk'),
      integrity.as('integrity'),
      verdict.as('verdict'),
      sql<boolean>`an.session_id is not null`.as('analysed'),
      writing(`->>'activeMs'`).as('active_ms'),
      writing(`->'pauses'->>'count'`).as('pauses'),
      writing(`->'revisions'->>'deletions'`).as('revisions'),
      writing(`->'paste'->>'shareOfFinal'`).as('paste_share'),
      sql<number>`coalesce(fs.flags, 0)`.as('flags'),
      sql<number>`coalesce(fs.pending, 0)`.as('pending'),
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.exam_id', '=', examId)
    .orderBy('users.display_name')
    .orderBy('attempts.id')
    .limit(limit)
    .execute();
}
