import type { Static } from '@sinclair/typebox';
import { distributionOf } from './class-standing';
import { percentileRanks } from './class-ranks';
import { csvOf } from '../../kernel/csv';
import { STANDING_METRICS, type AttemptMonitoring, type ExamAnalytics, type StudentDashboard, type TeacherDashboard } from './dashboards.schemas';
import type { ExamResultsData, MonitoringData, StudentDashboardData, TeacherDashboardData } from './dashboards.service';
import type { ExamAttemptRow } from './dashboards.repository';

/** Rows into the dashboards' API shapes; the class statistics and the CSV are made here, from the rows read once. */
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
const METRIC_OF: Record<Metric, (a: ExamAttemptRow) => number | null> = {
  writingTimeMs: (a) => num(a.active_ms),
  pauses: (a) => num(a.pauses),
  revisions: (a) => num(a.revisions),
  pasteShare: (a) => num(a.paste_share),
};
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export function presentExamAnalytics({ exam, attempts }: ExamResultsData): Static<typeof ExamAnalytics> {
  const scored = attempts.filter((a) => a.score !== null);
  const heads = attempts.map(headline);
  const columns = Object.fromEntries(STANDING_METRICS.map((m) => [m, attempts.map(METRIC_OF[m])])) as Record<Metric, (number | null)[]>;
  const risk = { low: 0, medium: 0, high: 0, notEnoughData: 0, notAnalysed: 0 };
  for (const h of heads) {
    if (h.analysis === 'done' && h.risk) risk[h.risk]++;
    else if (h.analysis === 'not-enough-data') risk.notEnoughData++;
    else risk.notAnalysed++;
  }
  const integrities = heads.flatMap((h) => (h.integrity === null ? [] : [h.integrity]));
  const ranks = Object.fromEntries(STANDING_METRICS.map((m) => [m, percentileRanks(columns[m])])) as Record<Metric, (number | null)[]>;
  return {
    exam: { id: exam.id, title: exam.title, maxScore: exam.max_score, passMark: exam.pass_mark, resultsReleased: exam.released },
    summary: {
      attempts: attempts.length,
      students: new Set(attempts.map((a) => a.student_id)).size,
      graded: scored.length,
      averageScore: mean(scored.map((a) => a.score!)),
      passRate: scored.length === 0 ? null : scored.filter((a) => a.score! >= exam.pass_mark).length / scored.length,
      averageIntegrity: mean(integrities),
      highRisk: risk.high,
      flagged: attempts.filter((a) => a.flags > 0).length,
      pendingFlags: attempts.reduce((n, a) => n + a.pending, 0),
    },
    risk,
    class: Object.fromEntries(STANDING_METRICS.map((m) => [m, distributionOf(columns[m])])) as Static<typeof ExamAnalytics>['class'],
    students: attempts.map((a, i) => ({
      attemptId: a.id,
      studentId: a.student_id,
      name: a.student_name,
      email: a.student_email,
      state: a.state,
      sessionId: a.session_id,
      finishedAt: iso(a.finished_at),
      score: a.score,
      passed: a.score === null ? null : a.score >= exam.pass_mark,
      ...heads[i]!,
      flags: a.flags,
      pendingFlags: a.pending,
      standing: Object.fromEntries(
        STANDING_METRICS.map((m) => {
          const value = columns[m][i]!;
          return [m, { value, percentile: ranks[m][i]! }];
        }),
      ) as Static<typeof ExamAnalytics>['students'][number]['standing'],
    })),
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
