import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { jsonValueIssue, type SessionKind } from '@veritas/schema';
import { ANONYMOUS, type Actor, type ApiKeyActor, type UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { EventBus } from '../../kernel/events';
import { tenantScope, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import type { DB, SessionRow } from '../../platform/db/tables';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findSession, type SessionsService } from '../sessions';
import {
  findAttempt,
  insertExternalAnalysis,
  listAttempts,
  listExternalAnalyses,
  lockAttempt,
  lockOrCreateAttempt,
  overdueAttempts,
  updateAttempt,
  type AttemptReach,
  type AttemptRow,
  type ExternalAnalysisRow,
} from './attempts.repository';
import { findExam, isExamStudent, type ExamRow } from './exams.repository';
import { readReach } from './exams.service';
import { transition, type AttemptMove, type Mover } from './attempt-machine';

export interface AttemptCaller {
  actor: UserActor | ApiKeyActor;
  context: RequestContext;
}

/** An attempt with its exam (for the score's scale and whether results are released) and partners' analyses. */
export interface AttemptDetail {
  attempt: AttemptRow;
  exam: ExamRow;
  external: ExternalAnalysisRow[];
}

export interface StartedAttempt extends AttemptDetail {
  session: SessionRow;
  writeToken: string;
  resumed: boolean;
}

export interface AttemptsService {
  /**
   * Starts the student's attempt at the exam (creating its session with the exam's kind and analysis
   * settings), or resumes it when it is already in progress: the same attempt and session, with a new
   * write token. Only inside the exam's window (exam-not-open), only for a student of its classes
   * (404 otherwise), and never after the attempt closed (attempt-closed).
   */
  start(caller: { actor: UserActor; context: RequestContext }, examId: string): Promise<StartedAttempt>;
  submit(caller: { actor: UserActor; context: RequestContext }, attemptId: string): Promise<AttemptDetail>;
  abandon(caller: { actor: UserActor; context: RequestContext }, attemptId: string): Promise<AttemptDetail>;
  get(actor: UserActor | ApiKeyActor, attemptId: string): Promise<AttemptDetail>;
  /** The exam's attempts: all of them for its teachers and an admin, a student's own for a student. */
  list(actor: UserActor, examId: string): Promise<AttemptDetail[]>;
  /** Grades (or regrades) a closed attempt: a teacher of the exam or a partner's key. Audited with the score before. */
  grade(caller: AttemptCaller, attemptId: string, input: { score: number; feedback?: string }): Promise<AttemptDetail>;
  /** Stores an analysis a partner computed elsewhere, labelled with its source and key. Audited. */
  addExternalAnalysis(
    caller: { actor: ApiKeyActor; context: RequestContext },
    attemptId: string,
    input: { source: string; result: Record<string, unknown> },
  ): Promise<ExternalAnalysisRow>;
  /** The scheduled job: times out every in-progress attempt past its deadline (and ends its session). Answers how many. */
  timeOutOverdue(): Promise<number>;
}

export interface AttemptsDeps {
  database: Database;
  audit: AuditService;
  sessions: SessionsService;
  /** session.created and session.ended are told here after the attempt's transaction commits. */
  events: EventBus;
  /** The clock: tests pass their own instead of sleeping. */
  now?: () => Date;
}

/** The time-out job's entries: no person acts, as for the command line's operations. */
const SCHEDULER: RequestContext = { ip: null, requestId: 'scheduler' };
const TIME_OUT_BATCH = 500;

function reachOf(actor: UserActor | ApiKeyActor): AttemptReach {
  if (actor.kind === 'api-key') return { kind: 'all' };
  switch (actor.role) {
    case 'admin':
      return { kind: 'all' };
    case 'teacher':
      return { kind: 'teacher', userId: actor.userId };
    case 'student':
      return { kind: 'student', userId: actor.userId };
    default:
      throw new AppError('forbidden', `a ${actor.role} has no attempts to read`);
  }
}

const notFoundAttempt = (id: string) => new AppError('not-found', `no attempt ${id}`);
const deadlineOf = (startedAt: Date, exam: ExamRow) => new Date(Math.min(startedAt.getTime() + exam.duration_minutes * 60_000, exam.closes_at.getTime()));

/** The session settings an exam gives its attempts: its analysis settings, and assistive technology when allowed. */
function sessionSettings(exam: ExamRow) {
  const settings = exam.settings as { analysis?: Record<string, unknown>; accommodations?: { assistiveTechnology?: boolean } };
  return { ...(settings.analysis ?? {}), ...(settings.accommodations?.assistiveTechnology ? { assistiveTechnology: true } : {}) };
}

export function createAttemptsService({ database, audit, sessions, events, now = () => new Date() }: AttemptsDeps): AttemptsService {
  const { db } = database;
  const inTransaction = <T>(work: (trx: Kysely<DB>) => Promise<T>) => db.transaction().execute(work).catch(rethrowUnavailable);

  async function examOf(trx: Kysely<DB>, tenantId: TenantId, examId: string): Promise<ExamRow> {
    const exam = await findExam(trx, tenantId, examId, { kind: 'all' });
    if (!exam) throw new Error(`exam ${examId} of an attempt is gone`);
    return exam;
  }

  async function detail(trx: Kysely<DB>, tenantId: TenantId, attempt: AttemptRow): Promise<AttemptDetail> {
    return { attempt, exam: await examOf(trx, tenantId, attempt.exam_id), external: await listExternalAnalyses(trx, tenantId, [attempt.id]) };
  }

  /** A move of the student's own attempt that ends it (submit, abandon): its session ends with it. */
  async function finish(
    { actor, context }: { actor: UserActor; context: RequestContext },
    attemptId: string,
    move: 'submit' | 'abandon',
  ): Promise<AttemptDetail> {
    if (actor.role !== 'student') throw new AppError('forbidden', `a ${actor.role} does not take attempts`);
    const at = now();
    const done = await inTransaction(async (trx) => {
      const before = await lockAttempt(trx, actor.tenantId, attemptId, { kind: 'student', userId: actor.userId });
      if (!before) throw notFoundAttempt(attemptId);
      const state = transition(before.state, move, 'student');
      // Past the deadline the attempt is the time-out job's: its events stop at the deadline either way.
      if (before.deadline_at && before.deadline_at <= at)
        throw new AppError('attempt-closed', `the attempt's deadline was ${before.deadline_at.toISOString()}`);
      const attempt = await updateAttempt(trx, actor.tenantId, attemptId, { state, finished_at: at });
      if (attempt.session_id) await sessions.endWithin(trx, tenantScope(actor.tenantId), attempt.session_id, { actor, context });
      await audit.record(
        {
          tenantId: actor.tenantId,
          actor,
          action: `attempt.${move}`,
          resource: { type: 'attempt', id: attemptId },
          context,
          detail: { examId: attempt.exam_id },
        },
        trx,
      );
      return detail(trx, actor.tenantId, attempt);
    });
    if (done.attempt.session_id) await events.publish('session.ended', { sessionId: done.attempt.session_id, scope: tenantScope(actor.tenantId) });
    if (move === 'submit')
      await events.publish('attempt.submitted', {
        attemptId,
        examId: done.attempt.exam_id,
        sessionId: done.attempt.session_id,
        scope: tenantScope(actor.tenantId),
      });
    return done;
  }

  return {
    async start({ actor, context }, examId) {
      if (actor.role !== 'student') throw new AppError('forbidden', `a ${actor.role} does not take attempts`);
      const at = now();
      const scope = tenantScope(actor.tenantId);
      const started = await inTransaction(async (trx) => {
        const exam = await findExam(trx, actor.tenantId, examId, readReach(actor, at));
        if (!exam || !(await isExamStudent(trx, actor.tenantId, examId, actor.userId))) throw new AppError('not-found', `no exam ${examId}`);
        const before = await lockOrCreateAttempt(trx, {
          id: randomUUID(),
          tenant_id: actor.tenantId,
          exam_id: examId,
          student_id: actor.userId,
          state: 'not_started',
        });
        if (before.state === 'in_progress' && before.session_id) {
          if (before.deadline_at && before.deadline_at <= at)
            throw new AppError('attempt-closed', `the attempt's deadline was ${before.deadline_at.toISOString()}`);
          // Only the token's SHA-256 is stored, so the one handed out first cannot be given again: the resumed recorder gets a new one.
          const writeToken = await sessions.rotateWriteToken(trx, scope, before.session_id);
          const session = await findSession(trx, scope, before.session_id);
          if (!session) throw new Error(`session ${before.session_id} of attempt ${before.id} is gone`);
          await audit.record(
            {
              tenantId: actor.tenantId,
              actor,
              action: 'attempt.resume',
              resource: { type: 'attempt', id: before.id },
              context,
              detail: { examId, sessionId: session.id },
            },
            trx,
          );
          return { attempt: before, exam, session, writeToken, resumed: true };
        }
        if (before.state !== 'not_started') throw new AppError('attempt-closed', `the attempt is ${before.state}`);
        if (at < exam.opens_at || at >= exam.closes_at)
          throw new AppError('exam-not-open', `the exam is open from ${exam.opens_at.toISOString()} to ${exam.closes_at.toISOString()}`);
        const state = transition(before.state, 'start', 'student');
        const deadline = deadlineOf(at, exam);
        const { session, writeToken } = await sessions.createWithin(
          trx,
          scope,
          {
            kind: exam.kind as SessionKind,
            meta: { title: exam.title, ...(exam.instructions ? { prompt: exam.instructions } : {}) },
            analysis: sessionSettings(exam),
            owner: { kind: 'user', id: actor.userId },
            closesAt: deadline,
          },
          { actor, context },
        );
        const attempt = await updateAttempt(trx, actor.tenantId, before.id, { state, session_id: session.id, started_at: at, deadline_at: deadline });
        await audit.record(
          {
            tenantId: actor.tenantId,
            actor,
            action: 'attempt.start',
            resource: { type: 'attempt', id: attempt.id },
            context,
            detail: { examId, sessionId: session.id, deadline: deadline.toISOString() },
          },
          trx,
        );
        return { attempt, exam, session, writeToken, resumed: false };
      });
      if (!started.resumed) await events.publish('session.created', { sessionId: started.session.id, scope });
      return { ...started, external: [] };
    },

    submit: (caller, attemptId) => finish(caller, attemptId, 'submit'),
    abandon: (caller, attemptId) => finish(caller, attemptId, 'abandon'),

    async get(actor, attemptId) {
      return guard(
        (async () => {
          const attempt = await findAttempt(db, actor.tenantId, attemptId, reachOf(actor));
          if (!attempt) throw notFoundAttempt(attemptId);
          return detail(db, actor.tenantId, attempt);
        })(),
      );
    },

    async list(actor, examId) {
      return guard(
        (async () => {
          const exam = await findExam(db, actor.tenantId, examId, readReach(actor, now()));
          if (!exam) throw new AppError('not-found', `no exam ${examId}`);
          const rows = await listAttempts(db, actor.tenantId, examId, reachOf(actor));
          const external = await listExternalAnalyses(
            db,
            actor.tenantId,
            rows.map((r) => r.id),
          );
          return rows.map((attempt) => ({ attempt, exam, external: external.filter((e) => e.attempt_id === attempt.id) }));
        })(),
      );
    },

    async grade({ actor, context }, attemptId, input) {
      const by: Mover = actor.kind === 'api-key' || actor.role === 'teacher' ? 'grader' : 'student';
      const graded = await inTransaction(async (trx) => {
        const before = await lockAttempt(trx, actor.tenantId, attemptId, reachOf(actor));
        if (!before) throw notFoundAttempt(attemptId);
        const exam = await examOf(trx, actor.tenantId, before.exam_id);
        const state = transition(before.state, 'grade', by);
        if (input.score > exam.max_score) throw new AppError('invalid-request', `/body/score: must not exceed the exam's maxScore ${exam.max_score}`);
        const attempt = await updateAttempt(trx, actor.tenantId, attemptId, {
          state,
          score: input.score,
          feedback: input.feedback ?? null,
          graded_at: now(),
          graded_by_kind: actor.kind,
          graded_by_id: actor.kind === 'api-key' ? actor.keyId : actor.userId,
        });
        await audit.record(
          {
            tenantId: actor.tenantId,
            actor,
            action: 'attempt.grade',
            resource: { type: 'attempt', id: attemptId },
            context,
            detail: { examId: exam.id, score: input.score, previousScore: before.score, from: before.state },
          },
          trx,
        );
        return detail(trx, actor.tenantId, attempt);
      });
      await events.publish('attempt.graded', { attemptId, examId: graded.attempt.exam_id, score: input.score, scope: tenantScope(actor.tenantId) });
      return graded;
    },

    async addExternalAnalysis({ actor, context }, attemptId, input) {
      const issue = jsonValueIssue(input.result, 8);
      if (issue) throw new AppError('invalid-request', `/body/result${issue.path}: ${issue.message}`);
      return inTransaction(async (trx) => {
        const attempt = await lockAttempt(trx, actor.tenantId, attemptId, { kind: 'all' });
        if (!attempt) throw notFoundAttempt(attemptId);
        const row = await insertExternalAnalysis(trx, {
          id: randomUUID(),
          tenant_id: actor.tenantId,
          attempt_id: attemptId,
          source: input.source,
          key_id: actor.keyId,
          result: JSON.stringify(input.result),
        });
        await audit.record(
          {
            tenantId: actor.tenantId,
            actor,
            action: 'attempt.external-analysis.add',
            resource: { type: 'attempt', id: attemptId },
            context,
            detail: { id: row.id, source: row.source },
          },
          trx,
        );
        return row;
      });
    },

    async timeOutOverdue() {
      const at = now();
      let done = 0;
      for (const due of await guard(overdueAttempts(db, at, TIME_OUT_BATCH))) {
        const tenantId = due.tenant_id as TenantId;
        const ended = await inTransaction(async (trx) => {
          const before = await lockAttempt(trx, tenantId, due.id, { kind: 'all' });
          // Submitted or abandoned since the scan: nothing to do.
          if (!before || before.state !== 'in_progress' || !before.deadline_at || before.deadline_at > at) return null;
          const attempt = await updateAttempt(trx, tenantId, due.id, {
            state: transition(before.state, 'time-out', 'system'),
            finished_at: before.deadline_at,
          });
          if (attempt.session_id) await sessions.endWithin(trx, tenantScope(tenantId), attempt.session_id);
          await audit.record(
            {
              tenantId,
              actor: ANONYMOUS as Actor,
              action: 'attempt.time-out',
              resource: { type: 'attempt', id: due.id },
              context: SCHEDULER,
              detail: { via: 'scheduler', examId: attempt.exam_id, deadline: before.deadline_at.toISOString() },
            },
            trx,
          );
          return attempt;
        });
        if (!ended) continue;
        done++;
        if (ended.session_id) await events.publish('session.ended', { sessionId: ended.session_id, scope: tenantScope(tenantId) });
      }
      return done;
    },
  };
}

export type { AttemptMove };
