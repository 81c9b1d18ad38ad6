import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { resolveThresholds } from '@veritas/analysis';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { EventBus } from '../../kernel/events';
import { tenantScope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findUser } from '../people';
import {
  addCoTeacher,
  examClassIds,
  examCoTeacherIds,
  existingClasses,
  findExam,
  insertExam,
  listExams,
  lockExam,
  removeCoTeacher,
  setExamClasses,
  updateExam,
  type ExamReach,
  type ExamRow,
} from './exams.repository';
import type { ExamCreate, ExamPatch } from './exams.schemas';

export interface PersonCaller {
  actor: UserActor;
  context: RequestContext;
}

/** An exam with its classes and co-teachers. */
export interface ExamDetail {
  exam: ExamRow;
  classIds: string[];
  coTeacherIds: string[];
}

export interface ExamsService {
  /** An admin's: all the tenant's; a teacher's: those they own or co-teach; a student's: those of their classes open now. */
  list(actor: UserActor, page: { cursor?: string; limit: number }): Promise<{ items: ExamDetail[]; next: string | null }>;
  get(actor: UserActor, examId: string): Promise<ExamDetail>;
  /** A teacher's own exam (an admin's is theirs too). Audited. */
  create(caller: PersonCaller, input: ExamCreate): Promise<ExamDetail>;
  /** By its owner, a co-teacher or an admin; `resultsReleased` releases (or withdraws) the results. Audited. */
  update(caller: PersonCaller, examId: string, patch: ExamPatch): Promise<ExamDetail>;
  /** Archives it (its attempts and sessions stay): by its owner or an admin. Audited. */
  archive(caller: PersonCaller, examId: string): Promise<void>;
  /** Grants (or withdraws) a teacher of the tenant co-teaching: by the owner or an admin. Audited. */
  setCoTeacher(caller: PersonCaller, examId: string, userId: string, granted: boolean): Promise<void>;
}

/** What the exam-level rules of the attempts service need: who reaches which exam, read-only. */
export function readReach(actor: UserActor, now: Date, openOnly = false): ExamReach {
  switch (actor.role) {
    case 'admin':
      return { kind: 'all' };
    case 'teacher':
      return { kind: 'teacher', userId: actor.userId };
    case 'student':
      return { kind: 'student', userId: actor.userId, now, openOnly };
    default:
      throw new AppError('forbidden', `a ${actor.role} has no exams`);
  }
}

/** Who changes an exam: an admin, its owner or a co-teacher (`ownerOnly`: an admin or its owner). */
function writeReach(actor: UserActor, ownerOnly: boolean): ExamReach {
  if (actor.role === 'admin') return { kind: 'all' };
  if (actor.role === 'teacher') return ownerOnly ? { kind: 'owner', userId: actor.userId } : { kind: 'teacher', userId: actor.userId };
  throw new AppError('forbidden', `a ${actor.role} may not change exams`);
}

const notFoundExam = (id: string) => new AppError('not-found', `no exam ${id}`);

/** The list's opaque cursor: the last exam id of a page. */
const CURSOR_PREFIX = 'exam:';
const encodeCursor = (id: string) => Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  const id = text.slice(CURSOR_PREFIX.length);
  if (!text.startsWith(CURSOR_PREFIX) || !/^[A-Za-z0-9_-]{1,64}$/.test(id))
    throw new AppError('invalid-request', '/querystring/cursor: not a cursor of this list');
  return id;
}

interface Window {
  opensAt: Date;
  closesAt: Date;
  maxScore: number;
  passMark: number;
}

function checkShape(w: Window): void {
  if (!(w.opensAt < w.closesAt)) throw new AppError('invalid-request', '/body/closesAt: must be after opensAt');
  if (w.passMark > w.maxScore) throw new AppError('invalid-request', '/body/passMark: must not exceed maxScore');
}

/** Thresholds out of range are refused when the exam is saved, not when a student starts. */
function checkedThresholds(analysis: ExamCreate['analysis']): void {
  try {
    resolveThresholds(analysis?.thresholds);
  } catch (err) {
    throw new AppError('invalid-request', `/body/analysis/thresholds: ${(err as Error).message}`);
  }
}

export function createExamsService(database: Database, audit: AuditService, now: () => Date = () => new Date(), events?: EventBus): ExamsService {
  const { db } = database;
  const inTransaction = <T>(work: (trx: Kysely<DB>) => Promise<T>) => db.transaction().execute(work).catch(rethrowUnavailable);

  async function detailsOf(trx: Kysely<DB>, actor: UserActor, rows: ExamRow[]): Promise<ExamDetail[]> {
    const ids = rows.map((r) => r.id);
    const [classes, coTeachers] = [await examClassIds(trx, actor.tenantId, ids), await examCoTeacherIds(trx, actor.tenantId, ids)];
    return rows.map((exam) => ({ exam, classIds: classes.get(exam.id) ?? [], coTeacherIds: coTeachers.get(exam.id) ?? [] }));
  }

  /** The classes an exam is given to: the tenant's; a teacher names only their own. */
  async function classesFor(trx: Kysely<DB>, actor: UserActor, ids: readonly string[]): Promise<string[]> {
    const found = new Set(await existingClasses(trx, actor.tenantId, ids, actor.role === 'teacher' ? actor.userId : undefined));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new AppError('not-found', `no class ${missing}`);
    return [...ids];
  }

  return {
    async list(actor, page) {
      const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
      const rows = await guard(listExams(db, actor.tenantId, readReach(actor, now(), true), { ...(after ? { after } : {}), limit: page.limit + 1 }));
      const items = rows.slice(0, page.limit);
      return { items: await guard(detailsOf(db, actor, items)), next: rows.length > page.limit ? encodeCursor(items[items.length - 1]!.id) : null };
    },

    async get(actor, examId) {
      const row = await guard(findExam(db, actor.tenantId, examId, readReach(actor, now())));
      if (!row) throw notFoundExam(examId);
      return (await guard(detailsOf(db, actor, [row])))[0]!;
    },

    async create({ actor, context }, input) {
      if (actor.role !== 'teacher' && actor.role !== 'admin') throw new AppError('forbidden', `a ${actor.role} may not create exams`);
      const opensAt = new Date(input.opensAt);
      const closesAt = new Date(input.closesAt);
      checkShape({ opensAt, closesAt, maxScore: input.maxScore, passMark: input.passMark });
      checkedThresholds(input.analysis);
      return inTransaction(async (trx) => {
        const classIds = await classesFor(trx, actor, input.classIds ?? []);
        const exam = await insertExam(trx, {
          id: randomUUID(),
          tenant_id: actor.tenantId,
          owner_id: actor.userId,
          title: input.title.trim(),
          subject: input.subject ?? '',
          instructions: input.instructions ?? '',
          kind: input.kind,
          max_score: input.maxScore,
          pass_mark: input.passMark,
          duration_minutes: input.durationMinutes,
          opens_at: opensAt,
          closes_at: closesAt,
          settings: JSON.stringify({ analysis: input.analysis ?? {}, accommodations: input.accommodations ?? {} }),
        });
        await setExamClasses(trx, actor.tenantId, exam.id, classIds);
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'exam.create', resource: { type: 'exam', id: exam.id }, context, detail: { title: exam.title, classIds } },
          trx,
        );
        return { exam, classIds, coTeacherIds: [] };
      });
    },

    async update({ actor, context }, examId, patch) {
      checkedThresholds(patch.analysis);
      let releasedNow = false;
      const updated = await inTransaction(async (trx) => {
        const before = await lockExam(trx, actor.tenantId, examId, writeReach(actor, false));
        if (!before) throw notFoundExam(examId);
        const settings = before.settings as { analysis?: unknown; accommodations?: unknown };
        const opensAt = patch.opensAt !== undefined ? new Date(patch.opensAt) : before.opens_at;
        const closesAt = patch.closesAt !== undefined ? new Date(patch.closesAt) : before.closes_at;
        checkShape({ opensAt, closesAt, maxScore: patch.maxScore ?? before.max_score, passMark: patch.passMark ?? before.pass_mark });
        const released = patch.resultsReleased === undefined ? undefined : patch.resultsReleased ? (before.results_released_at ?? now()) : null;
        const exam = await updateExam(trx, actor.tenantId, examId, {
          ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
          ...(patch.subject !== undefined ? { subject: patch.subject } : {}),
          ...(patch.instructions !== undefined ? { instructions: patch.instructions } : {}),
          ...(patch.kind !== undefined ? { kind: patch.kind } : {}),
          ...(patch.maxScore !== undefined ? { max_score: patch.maxScore } : {}),
          ...(patch.passMark !== undefined ? { pass_mark: patch.passMark } : {}),
          ...(patch.durationMinutes !== undefined ? { duration_minutes: patch.durationMinutes } : {}),
          opens_at: opensAt,
          closes_at: closesAt,
          ...(patch.analysis !== undefined || patch.accommodations !== undefined
            ? {
                settings: JSON.stringify({
                  analysis: patch.analysis ?? settings.analysis ?? {},
                  accommodations: patch.accommodations ?? settings.accommodations ?? {},
                }),
              }
            : {}),
          ...(released !== undefined ? { results_released_at: released } : {}),
        });
        if (patch.classIds !== undefined) await setExamClasses(trx, actor.tenantId, examId, await classesFor(trx, actor, patch.classIds));
        const { resultsReleased, ...changed } = patch;
        if (Object.keys(changed).length > 0)
          await audit.record(
            {
              tenantId: actor.tenantId,
              actor,
              action: 'exam.update',
              resource: { type: 'exam', id: examId },
              context,
              detail: { fields: Object.keys(changed).sort() },
            },
            trx,
          );
        if (resultsReleased !== undefined && (before.results_released_at !== null) !== resultsReleased) {
          releasedNow = resultsReleased;
          await audit.record(
            {
              tenantId: actor.tenantId,
              actor,
              action: resultsReleased ? 'exam.results.release' : 'exam.results.withdraw',
              resource: { type: 'exam', id: examId },
              context,
            },
            trx,
          );
        }
        return (await detailsOf(trx, actor, [exam]))[0]!;
      });
      // Told after the commit (the LMS gradebook's passbacks add the report link, modules/lti).
      if (releasedNow) await events?.publish('exam.results.released', { examId, scope: tenantScope(actor.tenantId) });
      return updated;
    },

    async archive({ actor, context }, examId) {
      await inTransaction(async (trx) => {
        const row = await lockExam(trx, actor.tenantId, examId, writeReach(actor, true));
        if (!row) throw notFoundExam(examId);
        if (row.archived_at !== null) return;
        await updateExam(trx, actor.tenantId, examId, { archived_at: now() });
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'exam.archive', resource: { type: 'exam', id: examId }, context, detail: { title: row.title } },
          trx,
        );
      });
    },

    async setCoTeacher({ actor, context }, examId, userId, granted) {
      await inTransaction(async (trx) => {
        const row = await lockExam(trx, actor.tenantId, examId, writeReach(actor, true));
        if (!row) throw notFoundExam(examId);
        if (granted) {
          const user = await findUser(trx, actor.tenantId, userId);
          if (!user) throw new AppError('not-found', `no user ${userId}`);
          if (user.role !== 'teacher') throw new AppError('role-mismatch', `user ${userId} is a ${user.role}, not a teacher`);
          if (userId === row.owner_id) throw new AppError('conflict', 'the owner of an exam is not its co-teacher');
          if (!(await addCoTeacher(trx, actor.tenantId, examId, userId))) return;
        } else if (!(await removeCoTeacher(trx, actor.tenantId, examId, userId))) {
          throw new AppError('not-found', `user ${userId} is not a co-teacher of exam ${examId}`);
        }
        await audit.record(
          {
            tenantId: actor.tenantId,
            actor,
            action: granted ? 'exam.co-teacher.add' : 'exam.co-teacher.remove',
            resource: { type: 'exam', id: examId },
            context,
            detail: { userId },
          },
          trx,
        );
      });
    },
  };
}
