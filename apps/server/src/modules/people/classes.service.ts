import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import type { DB } from '../../platform/db/tables';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService } from '../audit';
import {
  addMember,
  deleteClass,
  findClass,
  insertClass,
  listClasses,
  listMembers,
  lockClass,
  removeMember,
  updateClass,
  type ClassRow,
  type ClassVisibility,
  type MemberRow,
} from './classes.repository';
import { findUserForShare } from './users.repository';
import { notFoundUser, requireRole, type Caller } from './users.service';
import { decodePosition, pageOf } from './page-cursor';

export interface ClassListRequest {
  teacherId?: string;
  cursor?: string;
  limit: number;
}

export interface ClassDetail {
  class: ClassRow;
  members: MemberRow[];
}

export interface ClassesService {
  /** The classes the caller sees (an admin: all; a teacher: their own; an observer: their teachers'), by name. */
  list(actor: UserActor, request: ClassListRequest): Promise<{ items: ClassRow[]; next: string | null }>;
  /** A class with its students; one the caller does not see is not-found like an unknown id. */
  get(actor: UserActor, classId: string): Promise<ClassDetail>;
  /** A new class: a teacher's own, or, by an admin, any teacher's. Audited. */
  create(caller: Caller, input: { name: string; teacherId?: string }): Promise<ClassDetail>;
  /** Renames a class or (an admin) gives it to another teacher. Audited. */
  update(caller: Caller, classId: string, changes: { name?: string; teacherId?: string }): Promise<ClassDetail>;
  /** Deletes a class and its memberships (never the students). Audited. */
  remove(caller: Caller, classId: string): Promise<void>;
  /** Adds a student of the tenant (idempotent). Audited when it changes something. */
  addMember(caller: Caller, classId: string, userId: string): Promise<void>;
  /** Removes a student; not-found when they were not a member. Audited. */
  removeMember(caller: Caller, classId: string, userId: string): Promise<void>;
}

/** The classes a person reads. */
function readable(actor: UserActor): ClassVisibility {
  switch (actor.role) {
    case 'admin':
      return { kind: 'all' };
    case 'teacher':
      return { kind: 'teacher', teacherId: actor.userId };
    case 'observer':
      return { kind: 'observer', observerId: actor.userId };
    default:
      throw new AppError('forbidden', `a ${actor.role} has no classes to read`);
  }
}

/** The classes a person changes: an admin all, a teacher their own. */
function writable(actor: UserActor): ClassVisibility {
  if (actor.role === 'admin') return { kind: 'all' };
  if (actor.role === 'teacher') return { kind: 'teacher', teacherId: actor.userId };
  throw new AppError('forbidden', `a ${actor.role} may not change classes`);
}

const notFoundClass = (id: string) => new AppError('not-found', `no class ${id}`);

function className(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new AppError('invalid-request', '/body/name: must not be blank');
  return trimmed;
}

export function createClassesService(database: Database, audit: AuditService): ClassesService {
  const { db } = database;
  const inTransaction = <T>(work: (trx: Kysely<DB>) => Promise<T>) => db.transaction().execute(work).catch(rethrowUnavailable);

  /** The teacher a class is given to: an admin names any teacher of the tenant; a teacher only themself. */
  async function teacherFor(trx: Kysely<DB>, actor: UserActor, teacherId: string | undefined): Promise<string> {
    if (actor.role === 'teacher' && teacherId !== undefined && teacherId !== actor.userId) {
      throw new AppError('forbidden', "a teacher's classes are their own: only an admin gives a class to another teacher");
    }
    const id = teacherId ?? (actor.role === 'teacher' ? actor.userId : undefined);
    if (id === undefined) throw new AppError('invalid-request', "/body/teacherId: an admin names the class's teacher");
    // Share-locked: the teacher stays a teacher until the class is stored.
    const teacher = await findUserForShare(trx, actor.tenantId, id);
    if (!teacher) throw notFoundUser(id);
    requireRole(teacher, 'teacher');
    return id;
  }

  async function locked(trx: Kysely<DB>, actor: UserActor, classId: string): Promise<ClassRow> {
    const row = await lockClass(trx, actor.tenantId, classId, writable(actor));
    if (!row) throw notFoundClass(classId);
    return row;
  }

  return {
    async list(actor, request) {
      const after = request.cursor === undefined ? undefined : decodePosition(request.cursor);
      const rows = await guard(
        listClasses(db, actor.tenantId, readable(actor), {
          ...(request.teacherId !== undefined ? { teacherId: request.teacherId } : {}),
          ...(after ? { after } : {}),
          limit: request.limit + 1,
        }),
      );
      return pageOf(rows, request.limit, (c) => ({ name: c.name, id: c.id }));
    },

    async get(actor, classId) {
      const row = await guard(findClass(db, actor.tenantId, classId, readable(actor)));
      if (!row) throw notFoundClass(classId);
      return { class: row, members: await guard(listMembers(db, actor.tenantId, classId)) };
    },

    async create({ actor, context }, input) {
      return inTransaction(async (trx) => {
        const name = className(input.name);
        const teacherId = await teacherFor(trx, actor, input.teacherId);
        const row = await insertClass(trx, { id: randomUUID(), tenant_id: actor.tenantId, name, teacher_id: teacherId });
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'class.create', resource: { type: 'class', id: row.id }, context, detail: { name: row.name, teacherId } },
          trx,
        );
        return { class: row, members: [] };
      });
    },

    async update({ actor, context }, classId, changes) {
      return inTransaction(async (trx) => {
        const before = await locked(trx, actor, classId);
        const diff: Record<string, { from: string; to: string }> = {};
        const name = changes.name === undefined ? undefined : className(changes.name);
        if (name !== undefined && name !== before.name) diff.name = { from: before.name, to: name };
        if (changes.teacherId !== undefined && changes.teacherId !== before.teacher_id) {
          diff.teacherId = { from: before.teacher_id, to: await teacherFor(trx, actor, changes.teacherId) };
        }
        let row = before;
        if (Object.keys(diff).length > 0) {
          row = (await updateClass(trx, actor.tenantId, classId, {
            ...(diff.name ? { name: diff.name.to } : {}),
            ...(diff.teacherId ? { teacher_id: diff.teacherId.to } : {}),
          }))!;
          await audit.record(
            { tenantId: actor.tenantId, actor, action: 'class.update', resource: { type: 'class', id: classId }, context, detail: { changes: diff } },
            trx,
          );
        }
        return { class: row, members: await listMembers(trx, actor.tenantId, classId) };
      });
    },

    async remove({ actor, context }, classId) {
      await inTransaction(async (trx) => {
        const row = await locked(trx, actor, classId);
        const members = await deleteClass(trx, actor.tenantId, classId);
        await audit.record(
          {
            tenantId: actor.tenantId,
            actor,
            action: 'class.delete',
            resource: { type: 'class', id: classId },
            context,
            detail: { name: row.name, teacherId: row.teacher_id, members },
          },
          trx,
        );
      });
    },

    async addMember({ actor, context }, classId, userId) {
      await inTransaction(async (trx) => {
        await locked(trx, actor, classId);
        const user = await findUserForShare(trx, actor.tenantId, userId);
        if (!user) throw notFoundUser(userId);
        requireRole(user, 'student');
        if (!(await addMember(trx, actor.tenantId, classId, userId))) return;
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'class.member.add', resource: { type: 'class', id: classId }, context, detail: { userId } },
          trx,
        );
      });
    },

    async removeMember({ actor, context }, classId, userId) {
      await inTransaction(async (trx) => {
        await locked(trx, actor, classId);
        if (!(await removeMember(trx, actor.tenantId, classId, userId))) throw new AppError('not-found', `user ${userId} is not a member of class ${classId}`);
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'class.member.remove', resource: { type: 'class', id: classId }, context, detail: { userId } },
          trx,
        );
      });
    },
  };
}
