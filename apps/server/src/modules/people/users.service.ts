import type { Kysely, Updateable } from 'kysely';
import type { Role, UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import type { DB, UsersTable } from '../../platform/db/tables';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { countActiveAdmins, findUser, findUserForShare, listUsers, lockUser, updateUser, type UserRow } from './users.repository';
import { lockTenant } from './tenants.repository';
import { linkObserver, removeObserverLinksOf, teachersObservedBy, unlinkObserver } from './observers.repository';
import { countClassesOf, removeMemberships } from './classes.repository';
import { decodePosition, pageOf } from './page-cursor';

/** A person acting through the API, and where the request came from (for the audit). */
export interface Caller {
  actor: UserActor;
  context: RequestContext;
}

export type UserStatus = UserRow['status'];

export interface UserListRequest {
  role?: Role;
  status?: UserStatus;
  q?: string;
  cursor?: string;
  limit: number;
}

/** What an admin may change about a person; never the tenant, the id or the address. */
export interface UserChanges {
  role?: Role;
  status?: UserStatus;
  displayName?: string;
  enrollmentId?: string | null;
  department?: string | null;
}

/** A person, and for an observer the teachers they are attached to. */
export interface UserDetail {
  user: UserRow;
  teachers?: string[];
}

export interface UsersService {
  /** The tenant's people the caller may see (an admin: everyone; a teacher: the students), by name. */
  list(actor: UserActor, request: UserListRequest): Promise<{ items: UserRow[]; next: string | null }>;
  /** One of them; anyone else (another tenant's, or a role the caller may not see) is not-found like an unknown id. */
  get(actor: UserActor, userId: string): Promise<UserDetail>;
  /** Changes a person's role, status or profile; the tenant always keeps an active admin. Audited. */
  update(caller: Caller, userId: string, changes: UserChanges): Promise<UserDetail>;
  /** Attaches an observer to a teacher (idempotent). Audited when it changes something. */
  linkObserver(caller: Caller, observerId: string, teacherId: string): Promise<void>;
  /** Detaches them; not-found when they were not attached. Audited. */
  unlinkObserver(caller: Caller, observerId: string, teacherId: string): Promise<void>;
}

/** Which roles a person sees in the tenant's user list. */
function visibleRoles(actor: UserActor): readonly Role[] | undefined {
  if (actor.role === 'admin') return undefined;
  if (actor.role === 'teacher') return ['student'];
  return [];
}

const canSee = (actor: UserActor, user: UserRow) => visibleRoles(actor)?.includes(user.role) ?? true;

export const notFoundUser = (id: string) => new AppError('not-found', `no user ${id}`);

/** A person must have a role for what is asked of them (an observer, a teacher, a student). */
export function requireRole(user: UserRow, role: Role): void {
  if (user.role !== role) throw new AppError('role-mismatch', `user ${user.id} is a ${user.role}, not a ${role}`);
}

type Diff = Record<string, { from: unknown; to: unknown }>;

export function createUsersService(database: Database, audit: AuditService): UsersService {
  const { db } = database;
  const inTransaction = <T>(work: (trx: Kysely<DB>) => Promise<T>) => db.transaction().execute(work).catch(rethrowUnavailable);

  async function detail(trx: Kysely<DB>, user: UserRow): Promise<UserDetail> {
    return user.role === 'observer' ? { user, teachers: await teachersObservedBy(trx, tenantId(user.tenant_id), user.id) } : { user };
  }

  /** The profile a person keeps under their (new) role: an enrollment id is a student's, a department a teacher's. */
  function profileOf(before: UserRow, role: Role, changes: UserChanges): Pick<UserRow, 'enrollment_id' | 'department'> {
    if (role !== 'student' && changes.enrollmentId != null) throw new AppError('invalid-request', '/body/enrollmentId: only a student has an enrollment id');
    if (role !== 'teacher' && changes.department != null) throw new AppError('invalid-request', '/body/department: only a teacher has a department');
    return {
      enrollment_id: role === 'student' ? (changes.enrollmentId !== undefined ? changes.enrollmentId : before.enrollment_id) : null,
      department: role === 'teacher' ? (changes.department !== undefined ? changes.department : before.department) : null,
    };
  }

  /** What leaving a role takes away, checked and done inside the update's transaction. */
  async function leaveRole(trx: Kysely<DB>, before: UserRow, role: Role, status: UserStatus): Promise<Record<string, number>> {
    const tenant = tenantId(before.tenant_id);
    if (before.role === 'admin' && before.status === 'active' && (role !== 'admin' || status !== 'active') && (await countActiveAdmins(trx, tenant)) <= 1) {
      throw new AppError('conflict', 'this is the last active admin of the tenant: make someone else an admin first');
    }
    const removed: Record<string, number> = {};
    if (before.role === role) return removed;
    if (before.role === 'teacher') {
      const classes = await countClassesOf(trx, tenant, before.id);
      if (classes > 0) throw new AppError('conflict', `this teacher has ${classes} class(es): give them to another teacher or delete them first`);
      removed.observerLinks = await removeObserverLinksOf(trx, tenant, before.id, 'teacher');
    }
    if (before.role === 'observer') removed.observerLinks = await removeObserverLinksOf(trx, tenant, before.id, 'observer');
    if (before.role === 'student') removed.classMemberships = await removeMemberships(trx, tenant, before.id);
    return removed;
  }

  return {
    async list(actor, request) {
      const roles = visibleRoles(actor);
      const wanted = request.role === undefined ? roles : roles === undefined || roles.includes(request.role) ? [request.role] : [];
      if (wanted?.length === 0) return { items: [], next: null };
      const after = request.cursor === undefined ? undefined : decodePosition(request.cursor);
      const rows = await guard(
        listUsers(db, actor.tenantId, {
          ...(wanted ? { roles: wanted } : {}),
          ...(request.status ? { status: request.status } : {}),
          ...(request.q !== undefined ? { q: request.q } : {}),
          ...(after ? { after } : {}),
          limit: request.limit + 1,
        }),
      );
      return pageOf(rows, request.limit, (u) => ({ name: u.display_name, id: u.id }));
    },

    async get(actor, userId) {
      const user = await guard(findUser(db, actor.tenantId, userId));
      if (!user || !canSee(actor, user)) throw notFoundUser(userId);
      return guard(detail(db, user));
    },

    async update({ actor, context }, userId, changes) {
      return inTransaction(async (trx) => {
        // One change of role or status at a time per tenant: "the last active admin" stays true while it is checked.
        await lockTenant(trx, actor.tenantId);
        const before = await lockUser(trx, actor.tenantId, userId);
        if (!before) throw notFoundUser(userId);
        const role = changes.role ?? before.role;
        const status = changes.status ?? before.status;
        const displayName = changes.displayName?.trim() ?? before.display_name;
        if (displayName.length === 0) throw new AppError('invalid-request', '/body/displayName: must not be blank');
        const next = { role, status, display_name: displayName, ...profileOf(before, role, changes) };
        const diff: Diff = {};
        for (const [k, v] of Object.entries(next) as [keyof typeof next, unknown][]) if (before[k] !== v) diff[k] = { from: before[k], to: v };
        if (Object.keys(diff).length === 0) return detail(trx, before);
        const removed = await leaveRole(trx, before, role, status);
        const set = Object.fromEntries(Object.keys(diff).map((k) => [k, next[k as keyof typeof next]])) as Updateable<UsersTable>;
        const after = (await updateUser(trx, actor.tenantId, userId, set))!;
        await audit.record(
          {
            tenantId: actor.tenantId,
            actor,
            action: 'user.update',
            resource: { type: 'user', id: userId },
            context,
            detail: { changes: diff, ...(Object.keys(removed).length ? { removed } : {}) },
          },
          trx,
        );
        return detail(trx, after);
      });
    },

    async linkObserver({ actor, context }, observerId, teacherId) {
      await inTransaction(async (trx) => {
        // Share-locked: neither role can change until the link is in.
        const observer = await findUserForShare(trx, actor.tenantId, observerId);
        if (!observer) throw notFoundUser(observerId);
        const teacher = await findUserForShare(trx, actor.tenantId, teacherId);
        if (!teacher) throw notFoundUser(teacherId);
        requireRole(observer, 'observer');
        requireRole(teacher, 'teacher');
        if (!(await linkObserver(trx, actor.tenantId, observerId, teacherId))) return;
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'observer.link', resource: { type: 'user', id: observerId }, context, detail: { teacherId } },
          trx,
        );
      });
    },

    async unlinkObserver({ actor, context }, observerId, teacherId) {
      await inTransaction(async (trx) => {
        if (!(await unlinkObserver(trx, actor.tenantId, observerId, teacherId))) {
          throw new AppError('not-found', `observer ${observerId} is not attached to teacher ${teacherId}`);
        }
        await audit.record(
          { tenantId: actor.tenantId, actor, action: 'observer.unlink', resource: { type: 'user', id: observerId }, context, detail: { teacherId } },
          trx,
        );
      });
    },
  };
}
