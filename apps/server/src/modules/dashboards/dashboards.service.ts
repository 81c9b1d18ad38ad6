import type { AnalysisResult } from '@veritas/schema';
import { ANALYSIS_FORMAT } from '@veritas/schema';
import { momentumOf, type Momentum } from '@veritas/analysis';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { staleReads, type Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import type { AnalysisService } from '../analysis';
import {
  alertCounts,
  anomalyTimeline,
  eventCounts,
  examAttempts,
  findManagedExam,
  findMonitoredAttempt,
  managedExams,
  pendingFlagCount,
  studentPage,
  triage,
  type ExamAttemptRow,
  type ExamRow,
  type ManagedExamRow,
  type Managed,
  type MonitoredAttemptRow,
  type ProfileRow,
  type StudentAttemptRow,
  type StudentSummaryRow,
  type TimelineRow,
  type TriageRow,
} from './dashboards.repository';
import { examClassOrder, examPage, examStats, examVersion, type ExamPageRow, type ExamStatsRow, type StudentPosition } from './exam-analytics.repository';
import { createExamClassCache, type ExamClass } from './exam-class-cache';

/** The attempts a student's page lists, the exams a teacher's page lists, the attempts an exam's CSV holds, the occurrences a timeline holds. */
export const LIMITS = { studentAttempts: 200, teacherExams: 100, examAttempts: 10_000, timeline: 1_000 } as const;

export interface StudentDashboardData {
  profile: ProfileRow;
  summary: StudentSummaryRow;
  attempts: StudentAttemptRow[];
  momentum: Momentum;
}

const FINISHED = new Set(['submitted', 'graded', 'abandoned', 'timed_out']);

/**
 * The student's momentum and dropout label (@veritas/analysis's documented rules) from their finished
 * attempts, oldest first. Scores count only once released: the page must not tell a student more than
 * their results do.
 */
export function momentumFrom(attempts: readonly StudentAttemptRow[]): Momentum {
  return momentumOf(
    attempts
      .filter((a) => FINISHED.has(a.state))
      .reverse()
      .map((a) => ({
        completed: a.state === 'submitted' || a.state === 'graded',
        scorePercent: a.released && a.score !== null ? (100 * a.score) / a.max_score : null,
        passPercent: (100 * a.pass_mark) / a.max_score,
        littleWriting: a.verdict === 'not-enough-data',
        copySign: a.copy_sign,
      })),
  );
}
export interface TeacherDashboardData {
  teacherId: string;
  exams: ManagedExamRow[];
  pendingFlags: number;
  triage: TriageRow[];
  offset: number;
  next: number | null;
}
export interface ExamResultsData {
  exam: ExamRow;
  attempts: ExamAttemptRow[];
}
export interface ExamAnalyticsData {
  exam: ExamRow;
  stats: ExamStatsRow;
  /** A page of the per-student breakdown, by name. */
  rows: ExamPageRow[];
  limit: number;
  /** Where the next page starts; null on the last page. */
  next: StudentPosition | null;
}
export interface MonitoringData {
  attempt: MonitoredAttemptRow;
  events: { type: string; n: number }[];
  alerts: { severity: string; n: number }[];
  timeline: TimelineRow[];
  analysis: { status: string; result: AnalysisResult | null };
}

export interface DashboardsService {
  student(actor: UserActor): Promise<StudentDashboardData>;
  teacher(actor: UserActor, page: { limit: number; offset: number }): Promise<TeacherDashboardData>;
  /** An exam's analytics with a page of its per-student breakdown; audited (`exam.analytics.read`). */
  examAnalytics(actor: UserActor, examId: string, page: { limit: number; after?: StudentPosition }, context: RequestContext): Promise<ExamAnalyticsData>;
  /** Every attempt of an exam, for its CSV; audited (`exam.results.export`). */
  examResults(actor: UserActor, examId: string, context: RequestContext): Promise<ExamResultsData>;
  monitoring(actor: UserActor, attemptId: string, context: RequestContext): Promise<MonitoringData>;
}

export interface DashboardsDeps {
  database: Database;
  audit: AuditService;
  analysis: Pick<AnalysisService, 'status'>;
}

/** An admin manages every exam of the tenant; a teacher those they own or co-teach. */
const managedBy = (actor: UserActor): Managed => (actor.role === 'admin' ? { kind: 'all' } : { kind: 'teacher', userId: actor.userId });

export function createDashboardsService({ database, audit, analysis }: DashboardsDeps): DashboardsService {
  const db = database.db;
  // The replica when one is configured (ADR 0031): pages about others' work, which tolerate the
  // replica's bounded lag (VERITAS_REPLICA_MAX_LAG_MS). What its reader wrote a moment ago stays on `db`.
  const reads = staleReads(database);
  const guard = <T>(p: Promise<T>) => p.catch(rethrowUnavailable);
  // A minute at most at one version: the version follows the exam's rows, the age a renamed student.
  const classCache = createExamClassCache({ maxExams: 200, maxAgeMs: 60_000 });

  return {
    async student(actor) {
      // One statement: a round trip, not four (ADR 0018, "The student's page in one statement").
      // Primary: a student opens it right after submitting, and must see that attempt submitted.
      const page = await guard(studentPage(db, actor.tenantId, actor.userId, LIMITS.studentAttempts));
      if (!page) throw new AppError('not-found', 'no such person');
      return { ...page, momentum: momentumFrom(page.attempts) };
    },

    async teacher(actor, page) {
      const managed = managedBy(actor);
      // Replica: students' attempts and flags as they stand; a teacher's own decisions are read back
      // on the review queue (primary), here they may show up to the bound late.
      const [exams, pendingFlags, rows] = await guard(
        Promise.all([
          managedExams(reads, actor.tenantId, managed, LIMITS.teacherExams),
          pendingFlagCount(reads, actor.tenantId, managed),
          triage(reads, actor.tenantId, managed, { limit: page.limit + 1, offset: page.offset }),
        ]),
      );
      const more = rows.length > page.limit;
      return {
        teacherId: actor.userId,
        exams,
        pendingFlags,
        triage: rows.slice(0, page.limit),
        offset: page.offset,
        next: more ? page.offset + page.limit : null,
      };
    },

    async examAnalytics(actor, examId, page, context) {
      // Replica: the class's figures tolerate its bound (ADR 0031); the audit entry below is written to the primary.
      const [exam, version] = await guard(
        Promise.all([findManagedExam(reads, actor.tenantId, examId, managedBy(actor)), examVersion(reads, actor.tenantId, examId)]),
      );
      if (!exam) throw new AppError('not-found', `no exam ${examId}`);
      // The class's figures and ranking once per version of the exam's rows, then one page of rows
      // (ADR 0018, "Paging the breakdown" and "Class figures cached per exam").
      let cls: ExamClass | undefined = version === null ? undefined : classCache.get(actor.tenantId, examId, version);
      if (!cls) {
        const [stats, order] = await guard(Promise.all([examStats(reads, actor.tenantId, examId), examClassOrder(reads, actor.tenantId, examId)]));
        cls = { stats, order };
        // Kept only when the figures were read at the version read first (no change in between, the same database).
        if (version !== null && stats.version === version) classCache.set(actor.tenantId, examId, version, cls);
      }
      const { rows, next } = await guard(
        examPage(reads, actor.tenantId, examId, cls.order, { limit: page.limit, ...(page.after ? { after: page.after } : {}) }),
      );
      await audit.record({
        tenantId: actor.tenantId,
        actor,
        action: 'exam.analytics.read',
        resource: { type: 'exam', id: examId },
        context,
        detail: { attempts: cls.stats.attempts, rows: rows.length },
      });
      return { exam, stats: cls.stats, rows, limit: page.limit, next };
    },

    async examResults(actor, examId, context) {
      // Primary: a teacher grades, then exports the grades at once; the file must hold the last grade.
      const exam = await guard(findManagedExam(db, actor.tenantId, examId, managedBy(actor)));
      if (!exam) throw new AppError('not-found', `no exam ${examId}`);
      const attempts = await guard(examAttempts(db, actor.tenantId, examId, LIMITS.examAttempts));
      await audit.record({
        tenantId: actor.tenantId,
        actor,
        action: 'exam.results.export',
        resource: { type: 'exam', id: examId },
        context,
        detail: { attempts: attempts.length },
      });
      return { exam, attempts };
    },

    async monitoring(actor, attemptId, context) {
      // Replica: a snapshot of a stream still moving (counts, alerts, the flags' timeline) tolerates the bound.
      const attempt = await guard(findMonitoredAttempt(reads, actor.tenantId, attemptId, managedBy(actor)));
      if (!attempt) throw new AppError('not-found', `no attempt ${attemptId}`);
      const sessionId = attempt.session_id;
      if (sessionId === null) {
        // Not started: no session, nothing recorded yet.
        await recordRead(actor, attemptId, context);
        return { attempt, events: [], alerts: [], timeline: [], analysis: { status: 'none', result: null } };
      }
      const [events, alerts, timeline, status] = await Promise.all([
        guard(eventCounts(reads, actor.tenantId, sessionId)),
        guard(alertCounts(reads, actor.tenantId, sessionId)),
        guard(anomalyTimeline(reads, actor.tenantId, sessionId, LIMITS.timeline)),
        analysis.status(actor.scope, sessionId),
      ]);
      await recordRead(actor, attemptId, context);
      const result =
        status.status === 'done' && (status.analysis as { format?: string }).format === ANALYSIS_FORMAT ? (status.analysis as AnalysisResult) : null;
      return { attempt, events, alerts, timeline, analysis: { status: status.status, result } };
    },
  };

  async function recordRead(actor: UserActor, attemptId: string, context: RequestContext) {
    await audit.record({ tenantId: actor.tenantId, actor, action: 'attempt.monitoring.read', resource: { type: 'attempt', id: attemptId }, context });
  }
}
