import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';
import { COPY_DETECTORS } from '@veritas/analysis';
import { PENDING } from '../review';
import { preparedMark } from '../../platform/db/prepared-statements';

/**
 * The dashboards' reads: each page's data in a handful of queries, whatever the number of attempts.
 * Counts, sums, the analysis headline and flag counts come from the aggregate tables the database
 * keeps in the writes' own transactions (schema step 0011, ADR 0018); from-scratch.repository.ts holds
 * the same reads from scratch, which the aggregates are tested against. Every query takes the tenant.
 *
 * Staleness (ADR 0031): the service runs the teacher's page (`managedExams`, `pendingFlagCount`,
 * `triage`), `findManagedExam` for analytics and the monitoring reads (`findMonitoredAttempt`,
 * `eventCounts`, `alertCounts`, `anomalyTimeline`) on the read replica when one is configured: each
 * tolerates VERITAS_REPLICA_MAX_LAG_MS (10 s by default) plus one probe interval. `studentPage` and
 * `examAttempts` (the CSV) run on the primary: read right after their reader's own writes.
 */

/** A flag still waiting for a person: undecided, or decided and changed since (the review queue's "pending", modules/review). */
const waiting = sql<boolean>`(review_flags.state in (${sql.join([...PENDING])}) or review_flags.changed_since_decision)`;

/** Which exams a caller manages: all of the tenant's (an admin), or those a teacher owns or co-teaches. */
export type Managed = { kind: 'all' } | { kind: 'teacher'; userId: string };

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

// ------------------------------------------------------------------------------------------------
// The student's page
// ------------------------------------------------------------------------------------------------

export interface ProfileRow {
  id: string;
  email: string;
  display_name: string;
  enrollment_id: string | null;
}

export async function findProfile(db: Kysely<DB>, tenantId: TenantId, userId: string): Promise<ProfileRow | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'enrollment_id'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

/** An attempt with its exam, result and analysis: what the student's page and a teacher's view of them both read. */
export interface AttemptResultRow {
  id: string;
  exam_id: string;
  title: string;
  subject: string;
  state: string;
  session_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  score: number | null;
  max_score: number;
  pass_mark: number;
  released: boolean;
  risk: string | null;
  integrity: number | null;
  verdict: string | null;
}

export interface StudentAttemptRow extends AttemptResultRow {
  /** The analysis raised a high flag of a writing detector that signals copying, and no reviewer dismissed it. */
  copy_sign: boolean;
}

/**
 * A student's attempts, newest first, with their exam and analysis headline (from the attempt's
 * dashboard row). Only the copy sign still opens the analysis: it reads the analysis's flags against
 * the constant of @veritas/analysis, for the student's own attempts only.
 */
export async function studentAttempts(db: Kysely<DB>, tenantId: TenantId, studentId: string, limit: number): Promise<StudentAttemptRow[]> {
  return studentAttemptsQuery(db, tenantId, studentId, limit).execute();
}

function studentAttemptsQuery(db: Kysely<DB>, tenantId: TenantId, studentId: string, limit: number) {
  return db
    .selectFrom('dashboard_attempts as da')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'da.exam_id').on('exams.tenant_id', '=', tenantId))
    .leftJoin('analyses as an', (j) => j.onRef('an.session_id', '=', 'da.session_id').on('an.tenant_id', '=', tenantId))
    .select([
      'da.attempt_id as id',
      'da.exam_id',
      'exams.title',
      'exams.subject',
      'da.state',
      'da.session_id',
      'da.started_at',
      'da.finished_at',
      'da.score',
      'exams.max_score',
      'exams.pass_mark',
      sql<boolean>`exams.results_released_at is not null`.as('released'),
      'da.risk',
      'da.integrity',
      'da.verdict',
      sql<boolean>`coalesce(exists (
        select 1 from jsonb_array_elements(an.result->'flags') as f
        where f->>'detector' in (${sql.join([...COPY_DETECTORS])}) and f->>'severity' = 'high'
          and not exists (
            select 1 from review_flags as rf
            where rf.tenant_id = ${tenantId} and rf.session_id = da.session_id and rf.kind = f->>'detector' and rf.state = 'dismissed'
          )
      ), false)`.as('copy_sign'),
    ])
    .where('da.tenant_id', '=', tenantId)
    .where('da.student_id', '=', studentId)
    .orderBy('da.created_at', 'desc')
    .orderBy('da.attempt_id', 'desc')
    .limit(limit);
}

export interface StudentSummaryRow {
  total: number;
  released: number;
  passed: number;
  average_percent: number | null;
  open_flags: number;
}

/** Over all the student's attempts (their aggregate row): how many, how many released results, passed, their average (as % of the max score), and flags waiting about them. */
/** A flag about the student still waiting for a person: the sessions they own, their flags waiting. */
function openFlagsQuery(db: Kysely<DB>, tenantId: TenantId, studentId: string) {
  return db
    .selectFrom('review_flags')
    .innerJoin('sessions', 'sessions.id', 'review_flags.session_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('review_flags.tenant_id', '=', tenantId)
    .where('sessions.tenant_id', '=', tenantId)
    .where('sessions.owner_kind', '=', 'user')
    .where('sessions.owner_id', '=', studentId)
    .where(waiting);
}

export async function studentSummary(db: Kysely<DB>, tenantId: TenantId, studentId: string): Promise<StudentSummaryRow> {
  const counts = await db
    .selectFrom('dashboard_students')
    .select(['total', 'released', 'passed', sql<number | null>`case when released > 0 then percent_sum / released end`.as('average_percent')])
    .where('tenant_id', '=', tenantId)
    .where('student_id', '=', studentId)
    .executeTakeFirst();
  const flags = await openFlagsQuery(db, tenantId, studentId).executeTakeFirstOrThrow();
  return { ...(counts ?? { total: 0, released: 0, passed: 0, average_percent: null }), open_flags: flags.n };
}

export interface StudentPageRow {
  profile: ProfileRow;
  summary: StudentSummaryRow;
  attempts: StudentAttemptRow[];
}

type AttemptJson = Omit<StudentAttemptRow, 'started_at' | 'finished_at'> & { started_at: string | null; finished_at: string | null };

/**
 * The student's whole page in one statement (one round trip instead of four): their profile, their
 * aggregate row, the flags waiting about them, and their latest attempts as JSON, each part the
 * query of `findProfile`, `studentSummary` and `studentAttempts` above (which the tests hold it to).
 * Nothing for an unknown person.
 */
export async function studentPage(db: Kysely<DB>, tenantId: TenantId, studentId: string, limit: number): Promise<StudentPageRow | undefined> {
  const attempts = studentAttemptsQuery(db, tenantId, studentId, limit).select('da.created_at as created_at');
  // Prepared on PostgreSQL: planning it cost twice what running it did (platform/db/prepared-statements).
  const result = await sql<ProfileRow & Omit<StudentSummaryRow, 'open_flags'> & { open_flags: number; attempts: AttemptJson[] | string }>`
    ${preparedMark('student-page')}select p.id, p.email, p.display_name, p.enrollment_id,
      coalesce(ds.total, 0) as total, coalesce(ds.released, 0) as released, coalesce(ds.passed, 0) as passed,
      case when ds.released > 0 then ds.percent_sum / ds.released end as average_percent,
      (${openFlagsQuery(db, tenantId, studentId)}) as open_flags,
      (select coalesce(json_agg(a order by a.created_at desc, a.id desc), '[]'::json) from (${attempts}) a) as attempts
    from users p
    left join dashboard_students ds on ds.tenant_id = p.tenant_id and ds.student_id = p.id
    where p.tenant_id = ${tenantId} and p.id = ${studentId}`.execute(db);
  const r = result.rows[0];
  if (!r) return undefined;
  const rows = (typeof r.attempts === 'string' ? JSON.parse(r.attempts) : r.attempts) as (AttemptJson & { created_at?: string })[];
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return {
    profile: { id: r.id, email: r.email, display_name: r.display_name, enrollment_id: r.enrollment_id },
    summary: { total: r.total, released: r.released, passed: r.passed, average_percent: r.average_percent, open_flags: r.open_flags },
    attempts: rows.map(({ created_at: _, ...a }) => ({ ...a, started_at: date(a.started_at), finished_at: date(a.finished_at) })),
  };
}

// ------------------------------------------------------------------------------------------------
// The teacher's page
// ------------------------------------------------------------------------------------------------

export interface ManagedExamRow {
  id: string;
  title: string;
  subject: string;
  kind: string;
  owner_id: string;
  opens_at: Date;
  closes_at: Date;
  released: boolean;
  attempts: number;
  in_progress: number;
  finished: number;
  graded: number;
  pending_flags: number;
}

/** The exams a teacher manages (not archived), latest closing first, with their attempt counts and flags waiting (their aggregate rows). */
export async function managedExams(db: Kysely<DB>, tenantId: TenantId, managed: Managed, limit: number): Promise<ManagedExamRow[]> {
  return db
    .selectFrom('exams')
    .leftJoin('dashboard_exams as de', 'de.exam_id', 'exams.id')
    .select([
      'exams.id',
      'exams.title',
      'exams.subject',
      'exams.kind',
      'exams.owner_id',
      'exams.opens_at',
      'exams.closes_at',
      sql<boolean>`exams.results_released_at is not null`.as('released'),
      sql<number>`coalesce(de.attempts, 0)`.as('attempts'),
      sql<number>`coalesce(de.in_progress, 0)`.as('in_progress'),
      sql<number>`coalesce(de.finished, 0)`.as('finished'),
      sql<number>`coalesce(de.graded, 0)`.as('graded'),
      sql<number>`coalesce(de.pending_flags, 0)`.as('pending_flags'),
    ])
    .where((eb) => managedExam(eb, tenantId, managed))
    .where('exams.archived_at', 'is', null)
    .orderBy('exams.closes_at', 'desc')
    .orderBy('exams.id')
    .limit(limit)
    .execute();
}

/** Flags waiting for a person on the attempts of the exams managed (archived ones too: their flags still wait). */
export async function pendingFlagCount(db: Kysely<DB>, tenantId: TenantId, managed: Managed): Promise<number> {
  const row = await db
    .selectFrom('dashboard_exams as de')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'de.exam_id').on('exams.tenant_id', '=', tenantId))
    .select(sql<number>`coalesce(sum(de.pending_flags), 0)::int`.as('n'))
    .where('de.tenant_id', '=', tenantId)
    .where((eb) => managedExam(eb, tenantId, managed))
    .executeTakeFirstOrThrow();
  return row.n;
}

export interface TriageRow {
  id: string;
  exam_id: string;
  exam_title: string;
  student_id: string;
  student_name: string;
  state: string;
  session_id: string | null;
  finished_at: Date | null;
  risk: string | null;
  integrity: number | null;
  flags: number;
  pending: number;
  pending_rank: number;
}

/**
 * The attempts (with a session) of the exams managed, by unreviewed risk: those with flags waiting
 * first, by the highest severity waiting, then by integrity (lowest first; not yet scored last).
 */
export async function triage(db: Kysely<DB>, tenantId: TenantId, managed: Managed, page: { limit: number; offset: number }): Promise<TriageRow[]> {
  return db
    .selectFrom('dashboard_attempts as da')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'da.exam_id').on('exams.tenant_id', '=', tenantId))
    .innerJoin('users', (j) => j.onRef('users.id', '=', 'da.student_id').on('users.tenant_id', '=', tenantId))
    .select([
      'da.attempt_id as id',
      'da.exam_id',
      'exams.title as exam_title',
      'da.student_id',
      'users.display_name as student_name',
      'da.state',
      'da.session_id',
      'da.finished_at',
      'da.risk',
      'da.integrity',
      'da.flags',
      'da.pending',
      'da.pending_rank',
    ])
    .where('da.tenant_id', '=', tenantId)
    .where('da.session_id', 'is not', null)
    .where((eb) => managedExam(eb, tenantId, managed))
    .orderBy(sql`da.pending > 0`, 'desc')
    .orderBy('da.pending_rank', 'desc')
    .orderBy(sql`da.integrity asc nulls last`)
    .orderBy('da.attempt_id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

// ------------------------------------------------------------------------------------------------
// An exam's analytics and results
// ------------------------------------------------------------------------------------------------

export interface ExamRow {
  id: string;
  title: string;
  max_score: number;
  pass_mark: number;
  released: boolean;
}

/** The exam, if the caller manages it; otherwise nothing (an unknown id). */
export async function findManagedExam(db: Kysely<DB>, tenantId: TenantId, examId: string, managed: Managed): Promise<ExamRow | undefined> {
  return db
    .selectFrom('exams')
    .select(['exams.id', 'exams.title', 'exams.max_score', 'exams.pass_mark', sql<boolean>`exams.results_released_at is not null`.as('released')])
    .where('exams.id', '=', examId)
    .where((eb) => managedExam(eb, tenantId, managed))
    .executeTakeFirst();
}

export interface ExamAttemptRow {
  id: string;
  student_id: string;
  student_name: string;
  student_email: string;
  state: string;
  session_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  score: number | null;
  risk: string | null;
  integrity: number | null;
  verdict: string | null;
  analysed: boolean;
  active_ms: number | null;
  pauses: number | null;
  revisions: number | null;
  paste_share: number | null;
  flags: number;
  pending: number;
}

/** An exam's attempt rows with their student (each student by primary key), the columns a breakdown row shows. */
function examAttemptRows(db: Kysely<DB>, tenantId: TenantId) {
  return (
    db
      .selectFrom('dashboard_attempts as da')
      // Each student by primary key (a lateral with a limit is never turned into a join): with one large
      // tenant, the planner would otherwise hash all of its users to join 1,000 of them (100 ms against 6).
      .innerJoinLateral(
        (eb) =>
          eb
            .selectFrom('users')
            .select(['users.display_name', 'users.email'])
            .whereRef('users.id', '=', 'da.student_id')
            .where('users.tenant_id', '=', tenantId)
            .limit(1)
            .as('u'),
        (j) => j.onTrue(),
      )
      .select([
        'da.attempt_id as id',
        'da.student_id',
        'u.display_name as student_name',
        'u.email as student_email',
        'da.state',
        'da.session_id',
        'da.started_at',
        'da.finished_at',
        'da.score',
        'da.risk',
        'da.integrity',
        'da.verdict',
        'da.analysed',
        'da.active_ms',
        'da.pauses',
        'da.revisions',
        'da.paste_share',
        'da.flags',
        'da.pending',
      ])
      .where('da.tenant_id', '=', tenantId)
  );
}

/** Every attempt of the exam (up to `limit`) with its student, analysis headline, the writing metrics compared, and its flags (its dashboard rows). */
export async function examAttempts(db: Kysely<DB>, tenantId: TenantId, examId: string, limit: number): Promise<ExamAttemptRow[]> {
  return examAttemptRows(db, tenantId).where('da.exam_id', '=', examId).orderBy('u.display_name').orderBy('da.attempt_id').limit(limit).execute();
}

/** These attempts' rows (a page of the breakdown), in no particular order. */
export async function examAttemptsByIds(db: Kysely<DB>, tenantId: TenantId, ids: readonly string[]): Promise<ExamAttemptRow[]> {
  if (ids.length === 0) return [];
  return examAttemptRows(db, tenantId).where('da.attempt_id', 'in', ids).execute();
}

// ------------------------------------------------------------------------------------------------
// An attempt's monitoring
// ------------------------------------------------------------------------------------------------

export interface MonitoredAttemptRow {
  id: string;
  exam_id: string;
  exam_title: string;
  student_id: string;
  student_name: string;
  state: string;
  session_id: string | null;
  started_at: Date | null;
  finished_at: Date | null;
}

/** The attempt, if the caller manages its exam; otherwise nothing (an unknown id). */
export async function findMonitoredAttempt(db: Kysely<DB>, tenantId: TenantId, attemptId: string, managed: Managed): Promise<MonitoredAttemptRow | undefined> {
  return db
    .selectFrom('attempts')
    .innerJoin('exams', (j) => j.onRef('exams.id', '=', 'attempts.exam_id').on('exams.tenant_id', '=', tenantId))
    .innerJoin('users', (j) => j.onRef('users.id', '=', 'attempts.student_id').on('users.tenant_id', '=', tenantId))
    .select([
      'attempts.id',
      'attempts.exam_id',
      'exams.title as exam_title',
      'attempts.student_id',
      'users.display_name as student_name',
      'attempts.state',
      'attempts.session_id',
      'attempts.started_at',
      'attempts.finished_at',
    ])
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.id', '=', attemptId)
    .where((eb) => managedExam(eb, tenantId, managed))
    .executeTakeFirst();
}

/** How many events of each type the session holds (the session is the tenant's: its attempt was found in the tenant). */
export async function eventCounts(db: Kysely<DB>, tenantId: TenantId, sessionId: string): Promise<{ type: string; n: number }[]> {
  return db
    .selectFrom('events')
    .innerJoin('sessions', 'sessions.id', 'events.session_id')
    .select(['events.type', sql<number>`count(*)::int`.as('n')])
    .where('sessions.tenant_id', '=', tenantId)
    .where('events.session_id', '=', sessionId)
    .groupBy('events.type')
    .orderBy('events.type')
    .execute();
}

/** The session's live alerts by severity. */
export async function alertCounts(db: Kysely<DB>, tenantId: TenantId, sessionId: string): Promise<{ severity: string; n: number }[]> {
  return db
    .selectFrom('alerts')
    .select(['severity', sql<number>`count(*)::int`.as('n')])
    .where('tenant_id', '=', tenantId)
    .where('session_id', '=', sessionId)
    .groupBy('severity')
    .execute();
}

export interface TimelineRow {
  flag_id: string;
  kind: string;
  state: string;
  flag_severity: string;
  message: string;
  occurrences: number;
  seq_from: number;
  seq_to: number;
  t_from: number;
  t_to: number;
  severity: string;
}

/** The session's review flags with their occurrences, in session time (at most `limit` occurrences). */
export async function anomalyTimeline(db: Kysely<DB>, tenantId: TenantId, sessionId: string, limit: number): Promise<TimelineRow[]> {
  return db
    .selectFrom('review_occurrences')
    .innerJoin('review_flags', 'review_flags.id', 'review_occurrences.flag_id')
    .select([
      'review_flags.id as flag_id',
      'review_flags.kind',
      'review_flags.state',
      'review_flags.severity as flag_severity',
      'review_flags.message',
      'review_flags.occurrences',
      'review_occurrences.seq_from',
      'review_occurrences.seq_to',
      'review_occurrences.t_from',
      'review_occurrences.t_to',
      'review_occurrences.severity',
    ])
    .where('review_flags.tenant_id', '=', tenantId)
    .where('review_occurrences.tenant_id', '=', tenantId)
    .where('review_flags.session_id', '=', sessionId)
    .orderBy('review_occurrences.t_from')
    .orderBy('review_occurrences.seq_from')
    .limit(limit)
    .execute();
}
