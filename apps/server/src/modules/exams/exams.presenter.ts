import type { Static } from '@sinclair/typebox';
import type { Actor } from '../../kernel/actor';
import type { SessionRow } from '../../platform/db/tables';
import type { AttemptView, ExamView, ExternalAnalysisView } from './exams.schemas';
import type { ExamDetail } from './exams.service';
import type { AttemptDetail } from './attempts.service';
import type { ExternalAnalysisRow } from './attempts.repository';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentExam({ exam, classIds, coTeacherIds }: ExamDetail): Static<typeof ExamView> {
  const settings = exam.settings as { analysis?: Static<typeof ExamView>['analysis']; accommodations?: Static<typeof ExamView>['accommodations'] };
  return {
    id: exam.id,
    title: exam.title,
    subject: exam.subject,
    instructions: exam.instructions,
    kind: exam.kind as Static<typeof ExamView>['kind'],
    maxScore: exam.max_score,
    passMark: exam.pass_mark,
    durationMinutes: exam.duration_minutes,
    opensAt: exam.opens_at.toISOString(),
    closesAt: exam.closes_at.toISOString(),
    ownerId: exam.owner_id,
    coTeacherIds,
    classIds,
    analysis: settings.analysis ?? {},
    accommodations: settings.accommodations ?? {},
    resultsReleasedAt: iso(exam.results_released_at),
    archivedAt: iso(exam.archived_at),
    createdAt: exam.created_at.toISOString(),
  };
}

export function presentExternal(e: ExternalAnalysisRow): Static<typeof ExternalAnalysisView> {
  return { id: e.id, source: e.source, keyId: e.key_id, result: e.result, receivedAt: e.received_at.toISOString() };
}

/** An attempt as `viewer` may see it: a student sees no score before the exam's results are released, and no partner's analysis. */
export function presentAttempt({ attempt, exam, external }: AttemptDetail, viewer: Actor): Static<typeof AttemptView> {
  const isStudent = viewer.kind === 'user' && viewer.role === 'student';
  const scoreVisible = attempt.score !== null && attempt.graded_at !== null && (!isStudent || exam.results_released_at !== null);
  return {
    id: attempt.id,
    examId: attempt.exam_id,
    studentId: attempt.student_id,
    sessionId: attempt.session_id,
    state: attempt.state,
    startedAt: iso(attempt.started_at),
    deadlineAt: iso(attempt.deadline_at),
    finishedAt: iso(attempt.finished_at),
    result:
      scoreVisible && attempt.score !== null && attempt.graded_at !== null
        ? {
            score: attempt.score,
            maxScore: exam.max_score,
            passed: attempt.score >= exam.pass_mark,
            feedback: attempt.feedback,
            gradedAt: attempt.graded_at.toISOString(),
            gradedBy: { kind: attempt.graded_by_kind ?? 'unknown', id: attempt.graded_by_id },
          }
        : null,
    ...(isStudent ? {} : { externalAnalyses: external.map(presentExternal) }),
  };
}

export function presentStartedSession(session: SessionRow, base: string) {
  const api = `${base}/v1/sessions/${session.id}`;
  return { id: session.id, ack: session.next_seq - 1, links: { ingest: `${api.replace(/^http/, 'ws')}/ingest`, events: `${api}/events` } };
}
