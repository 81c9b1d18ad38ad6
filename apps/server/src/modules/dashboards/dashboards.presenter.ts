import type { Static } from '@sinclair/typebox';
import { histogramBins } from './class-standing';
import { encodeStudentPosition } from './exam-analytics-cursor';
import { HISTOGRAM_BINS, type MetricColumn } from './exam-analytics.repository';
import { csvOf } from '../../kernel/csv';
import { STANDING_METRICS, type AttemptMonitoring, type ExamAnalytics, type StudentDashboard, type TeacherDashboard } from './dashboards.schemas';
import type { ExamAnalyticsData, ExamResultsData, MonitoringData, StudentDashboardData, TeacherDashboardData } from './dashboards.service';

/** Rows into the dashboards' API shapes (the class statistics come computed from the database: exam-analytics.repository.ts); the CSV is made here. */
type Risk = 'low' | 'medium' | 'high';
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const riskOf = (r: string | null): Risk | null => (r === 'low' || r === 'medium' || r === 'high' ? r : null);
const RANK_RISK: Record<number, Risk> = { 1: 'low', 2: 'medium', 3: 'high' };
const num = (v: number | string | null) => (v === null ? null : Number(v));

function headline(row: { risk: string | null; integrity: number | string | null; verdict: string | null }) {
  const analysis = row.verdict === 'scored' ? 'done' : row.verdict === 'not-enough-data' ? 'not-enough-data' : 'none';
  return { integrity: analysis === 'done' ? num(row.integrity) : null, risk: analysis === 'done' ? riskOf(row.risk) : null, analysis } as const;
}

export function presentStudentDashboard(d: StudentDashboardData): Static<typeof StudentDashboard> {
  return {
    profile: { id: d.profile.id, displayName: d.profile.display_name, email: d.profile.email, enrollmentId: d.profile.enrollment_id },
    summary: { attempts: d.summary.total, released: d.summary.released, passed: d.summary.passed, averagePercent: num(d.summary.average_percent) },
    openFlags: d.summary.open_flags,
    momentum: d.momentum,
    attempts: d.attempts.map((a) => ({
      id: a.id,
      examId: a.exam_id,
      examTitle: a.title,
      subject: a.subject,
      state: a.state,
      sessionId: a.session_id,
      startedAt: iso(a.started_at),
      finishedAt: iso(a.finished_at),
      // A student sees a score only once the teacher releases the exam's results.
      result: a.released && a.score !== null ? { score: a.score, maxScore: a.max_score, passMark: a.pass_mark, passed: a.score >= a.pass_mark } : null,
      ...headline(a),
    })),
  };
}

export function presentTeacherDashboard(d: TeacherDashboardData): Static<typeof TeacherDashboard> {
  return {
    exams: d.exams.map((e) => ({
      id: e.id,
      title: e.title,
      subject: e.subject,
      kind: e.kind,
      owned: e.owner_id === d.teacherId,
      opensAt: iso(e.opens_at)!,
      closesAt: iso(e.closes_at)!,
      resultsReleased: e.released,
      attempts: { total: e.attempts, inProgress: e.in_progress, finished: e.finished, graded: e.graded },
      pendingFlags: e.pending_flags,
    })),
    pendingFlags: d.pendingFlags,
    triage: {
      items: d.triage.map((r) => ({
        attemptId: r.id,
        examId: r.exam_id,
        examTitle: r.exam_title,
        studentId: r.student_id,
        studentName: r.student_name,
        state: r.state,
        sessionId: r.session_id!,
        finishedAt: iso(r.finished_at),
        integrity: num(r.integrity),
        risk: riskOf(r.risk),
        flags: r.flags,
        pendingFlags: r.pending,
        pendingSeverity: RANK_RISK[r.pending_rank] ?? null,
      })),
      offset: d.offset,
      next: d.next,
    },
  };
}

type Metric = (typeof STANDING_METRICS)[number];
/** Each measure of the API and its column (exam-analytics.repository.ts). */
const COLUMN_OF: Record<Metric, MetricColumn> = { writingTimeMs: 'active_ms', pauses: 'pauses', revisions: 'revisions', pasteShare: 'paste_share' };

export function presentExamAnalytics({ exam, stats, rows, limit, next }: ExamAnalyticsData): Static<typeof ExamAnalytics> {
  const risk = {
    low: stats.risk_low,
    medium: stats.risk_medium,
    high: stats.risk_high,
    notEnoughData: stats.not_enough_data,
    notAnalysed: stats.attempts - stats.risk_low - stats.risk_medium - stats.risk_high - stats.not_enough_data,
  };
  return {
    exam: { id: exam.id, title: exam.title, maxScore: exam.max_score, passMark: exam.pass_mark, resultsReleased: exam.released },
    summary: {
      attempts: stats.attempts,
      students: stats.students,
      graded: stats.scored,
      averageScore: stats.scored === 0 ? null : stats.score_sum / stats.scored,
      passRate: stats.scored === 0 ? null : stats.passed / stats.scored,
      averageIntegrity: stats.integrity_n === 0 ? null : stats.integrity_sum / stats.integrity_n,
      highRisk: stats.risk_high,
      flagged: stats.flagged,
      pendingFlags: stats.pending_flags,
    },
    risk,
    class: Object.fromEntries(
      STANDING_METRICS.map((m) => {
        const { bins, ...distribution } = stats.metrics[COLUMN_OF[m]];
        return [m, { ...distribution, bins: histogramBins(distribution.min, distribution.max, bins, HISTOGRAM_BINS) }];
      }),
    ) as Static<typeof ExamAnalytics>['class'],
    students: rows.map((a) => ({
      attemptId: a.id,
      studentId: a.student_id,
      name: a.student_name,
      email: a.student_email,
      state: a.state,
      sessionId: a.session_id,
      finishedAt: iso(a.finished_at),
      score: a.score,
      passed: a.score === null ? null : a.score >= exam.pass_mark,
      ...headline(a),
      flags: a.flags,
      pendingFlags: a.pending,
      standing: Object.fromEntries(
        STANDING_METRICS.map((m) => {
          const c = COLUMN_OF[m];
          return [m, { value: num(a[c]), percentile: num(a[`${c}_rank`]) }];
        }),
      ) as Static<typeof ExamAnalytics>['students'][number]['standing'],
    })),
    page: { total: stats.attempts, limit, next: next ? encodeStudentPosition(next) : null },
  };
}

export const RESULTS_CSV_HEADER = ['student', 'email', 'state', 'score', 'max_score', 'passed', 'integrity', 'risk', 'flags', 'pending_flags'] as const;

export function presentResultsCsv({ exam, attempts }: ExamResultsData): string {
  return csvOf(
    RESULTS_CSV_HEADER,
    attempts.map((a) => {
      const h = headline(a);
      return [
        a.student_name,
        a.student_email,
        a.state,
        a.score,
        exam.max_score,
        a.score === null ? null : a.score >= exam.pass_mark,
        h.integrity,
        h.analysis === 'not-enough-data' ? 'not-enough-data' : h.risk,
        a.flags,
        a.pending,
      ];
    }),
  );
}

export function presentMonitoring(d: MonitoringData): Static<typeof AttemptMonitoring> {
  const bySeverity = { low: 0, medium: 0, high: 0 };
  for (const a of d.alerts) if (riskOf(a.severity)) bySeverity[riskOf(a.severity)!] += a.n;
  const flags = new Map<string, Static<typeof AttemptMonitoring>['timeline'][number]>();
  for (const o of d.timeline) {
    const f =
      flags.get(o.flag_id) ??
      flags
        .set(o.flag_id, {
          flagId: o.flag_id,
          kind: o.kind,
          state: o.state,
          severity: riskOf(o.flag_severity) ?? 'low',
          message: o.message,
          occurrences: o.occurrences,
          times: [],
        })
        .get(o.flag_id)!;
    f.times.push({ tFrom: o.t_from, tTo: o.t_to, seqFrom: o.seq_from, seqTo: o.seq_to, severity: riskOf(o.severity) ?? 'low' });
  }
  const a = d.attempt;
  return {
    attempt: {
      id: a.id,
      examId: a.exam_id,
      examTitle: a.exam_title,
      studentId: a.student_id,
      studentName: a.student_name,
      state: a.state,
      sessionId: a.session_id,
      startedAt: iso(a.started_at),
      finishedAt: iso(a.finished_at),
    },
    events: { total: d.events.reduce((n, e) => n + e.n, 0), byType: Object.fromEntries(d.events.map((e) => [e.type, e.n])) },
    alerts: { total: d.alerts.reduce((n, e) => n + e.n, 0), bySeverity },
    timeline: [...flags.values()],
    analysis: d.analysis,
  };
}
