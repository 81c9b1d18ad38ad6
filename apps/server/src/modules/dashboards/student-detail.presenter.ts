import type { Static } from '@sinclair/typebox';
import type { StudentDetail } from './student-detail.schemas';
import type { StudentDetailData } from './student-detail.service';

/** Rows into GET /v1/students/{studentId}'s answer; the summary is made here from the attempts listed. */
type Risk = 'low' | 'medium' | 'high';
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
const num = (v: number | string | null) => (v === null ? null : Number(v));
const riskOf = (r: string | null): Risk | null => (r === 'low' || r === 'medium' || r === 'high' ? r : null);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);

export function presentStudentDetail(d: StudentDetailData): Static<typeof StudentDetail> {
  const attempts = d.attempts.map((a) => {
    const analysis = a.verdict === 'scored' ? 'done' : a.verdict === 'not-enough-data' ? 'not-enough-data' : 'none';
    return {
      id: a.id,
      examId: a.exam_id,
      examTitle: a.title,
      subject: a.subject,
      state: a.state,
      sessionId: a.session_id,
      startedAt: iso(a.started_at),
      finishedAt: iso(a.finished_at),
      score: num(a.score),
      maxScore: num(a.max_score)!,
      passMark: num(a.pass_mark)!,
      passed: a.score === null ? null : Number(a.score) >= Number(a.pass_mark),
      resultsReleased: a.released,
      integrity: analysis === 'done' ? num(a.integrity) : null,
      risk: analysis === 'done' ? riskOf(a.risk) : null,
      analysis,
      flags: a.flags,
      pendingFlags: a.pending,
    } as const;
  });
  const scored = attempts.filter((a) => a.score !== null);
  return {
    profile: { id: d.student.id, displayName: d.student.display_name, email: d.student.email, enrollmentId: d.student.enrollment_id, status: d.student.status },
    classes: d.classes.map((c) => ({ id: c.id, name: c.name, teacherId: c.teacher_id, teacherName: c.teacher_name })),
    summary: {
      attempts: attempts.length,
      graded: scored.length,
      passed: scored.filter((a) => a.passed).length,
      averagePercent: mean(scored.map((a) => (100 * a.score!) / a.maxScore)),
      averageIntegrity: mean(attempts.flatMap((a) => (a.integrity === null ? [] : [a.integrity]))),
      pendingFlags: attempts.reduce((n, a) => n + a.pendingFlags, 0),
    },
    momentum: d.momentum,
    attempts,
  };
}
