import { API_SCOPES, ROLES, type Actor, type ApiScope, type Role } from './actor';
import { AppError, type ProblemCode } from './errors';
import { PUBLIC_SCOPE, type Scope } from './scope';

/**
 * Who may call a route, as each route declares it in `config.access`. Levels:
 * - anyone: health, metrics, docs, the web app
 * - public: anonymous callers, rate limited (session creation, bundle upload), when the server allows them;
 *   people of a tenant always; API keys with `sessions:write`
 * - reader: the holder of the session id or a share link (an anonymous public session), or a person or
 *   key of the session's tenant the session is granted to
 * - writer: the holder of the session's write token
 * - signed-in: any person of a tenant (their own profile, signing out)
 * Actions (`<resource>:<verb>`): what the table below grants per role and API-key scope.
 */
export const ACCESS_LEVELS = ['anyone', 'public', 'reader', 'writer', 'signed-in'] as const;
export const ACTIONS = [
  'users:read',
  'users:manage',
  'classes:read',
  'classes:manage',
  'api-keys:manage',
  'audit:read',
  'tenant:manage',
  'sessions:list',
  'share-links:manage',
  'sessions:delete',
  'certificates:revoke',
  'flags:read',
  'flags:decide',
  'flags:answer',
  'flags:read-own',
  'exams:read',
  'exams:manage',
  'attempts:take',
  'attempts:read',
  'attempts:grade',
  'attempts:analyses',
  'dashboards:student',
  'dashboards:teacher',
  'exams:analytics',
  'attempts:monitor',
  'students:read',
  'exams:watch',
  'alerts:acknowledge',
  'webhooks:manage',
] as const;
export type Level = (typeof ACCESS_LEVELS)[number];
export type Action = (typeof ACTIONS)[number];
export type Access = Level | Action;
export const ACCESSES: readonly Access[] = [...ACCESS_LEVELS, ...ACTIONS];

/** The columns of the table: capability holders by kind, people by role, API keys. */
export type Column = 'anonymous' | 'session-reader' | 'session-writer' | Role | 'api-key';
export const COLUMNS: readonly Column[] = ['anonymous', 'session-reader', 'session-writer', ...ROLES, 'api-key'];

/**
 * A cell: `true`/`false`; `'if-public'` when the server takes anonymous sessions; an API scope the
 * key must carry. On `reader`, a person or key passes only for a session granted to it (sessionGrant).
 */
export type Cell = boolean | 'if-public' | ApiScope;

const row = (cells: Partial<Record<Column, Cell>>): Readonly<Record<Column, Cell>> =>
  Object.freeze(Object.fromEntries(COLUMNS.map((c) => [c, cells[c] ?? false])) as Record<Column, Cell>);
const people = (...roles: Role[]) => Object.fromEntries(roles.map((r) => [r, true])) as Partial<Record<Role, true>>;

/** The one table: which column passes which access. Pure; `policy.test.ts` walks it. */
export const POLICY: Readonly<Record<Access, Readonly<Record<Column, Cell>>>> = {
  anyone: row({ anonymous: true, 'session-reader': true, 'session-writer': true, ...people(...ROLES), 'api-key': true }),
  public: row({ anonymous: 'if-public', 'session-reader': 'if-public', 'session-writer': 'if-public', ...people(...ROLES), 'api-key': 'sessions:write' }),
  reader: row({ 'session-reader': true, 'session-writer': true, ...people(...ROLES), 'api-key': 'sessions:read' }),
  writer: row({ 'session-writer': true }),
  'signed-in': row(people(...ROLES)),
  'users:read': row(people('admin', 'teacher')),
  'users:manage': row(people('admin')),
  'classes:read': row(people('admin', 'teacher', 'observer')),
  'classes:manage': row(people('admin', 'teacher')),
  'api-keys:manage': row(people('admin')),
  'audit:read': row(people('admin')),
  'tenant:manage': row(people('admin')),
  // Everyone lists (capability holders get the published demo sessions, see LISTING); a key needs sessions:read.
  'sessions:list': row({ anonymous: true, 'session-reader': true, 'session-writer': true, ...people(...ROLES), 'api-key': 'sessions:read' }),
  'share-links:manage': row(people('admin', 'teacher', 'student')),
  // Deleting a session (and everything of it) is for those who run the class: never its student, an observer or a key.
  'sessions:delete': row(people('admin', 'teacher')),
  // Withdrawing a signed certificate speaks for the institution: its admins only.
  'certificates:revoke': row(people('admin')),
  // Review (modules/review): reviewers read and decide the flags of the sessions they may see; observers read only;
  // students never review, but read and answer the flags about themselves. Which flags: modules/grants' rule.
  'flags:read': row(people('admin', 'teacher', 'observer')),
  'flags:decide': row(people('admin', 'teacher')),
  'flags:answer': row(people('student')),
  'flags:read-own': row(people('student')),
  // Exams (modules/exams): which ones each person sees or changes is the service's (owner, co-teacher, admin, a student's classes).
  'exams:read': row(people('admin', 'teacher', 'student')),
  'exams:manage': row(people('admin', 'teacher')),
  // A student starts, resumes, submits or abandons their own attempt; nobody else takes one.
  'attempts:take': row(people('student')),
  'attempts:read': row({ ...people('admin', 'teacher', 'student'), 'api-key': 'attempts:grade' }),
  // Scores: the exam's teachers (owner, co-teachers) or a partner's key.
  'attempts:grade': row({ ...people('teacher'), 'api-key': 'attempts:grade' }),
  // Analyses a partner computed elsewhere, posted for an attempt: keys only.
  'attempts:analyses': row({ 'api-key': 'analyses:write' }),
  // Dashboards (modules/dashboards): a student's own page, a teacher's own page; an exam's analytics, its results as CSV and an
  // attempt's monitoring for the exam's teachers (owner, co-teachers; the service answers 404 for any other exam) and admins.
  'dashboards:student': row(people('student')),
  'dashboards:teacher': row(people('teacher')),
  'exams:analytics': row(people('admin', 'teacher')),
  'attempts:monitor': row(people('admin', 'teacher')),
  // A student's detail (modules/dashboards/student-detail): which student each may see is the service's (their teachers, those
  // teachers' observers, admins; 404 for any other).
  'students:read': row(people('admin', 'teacher', 'observer')),
  // Live supervision (modules/live, ADR 0019): an exam's live view and its alerts socket for its teachers (owner,
  // co-teachers), admins, and observers attached to one of its teachers, who watch but never acknowledge an alert.
  'exams:watch': row(people('admin', 'teacher', 'observer')),
  'alerts:acknowledge': row(people('admin', 'teacher')),
  // Webhooks (modules/webhooks, ADR 0023): where the institution's events go and with which secret is its admins' to say.
  'webhooks:manage': row(people('admin')),
};

/** What the request is about: the session named in its path, if any; and the server's settings that bear on access. */
export interface AccessTarget {
  sessionId?: string;
  /** Whether this server takes anonymous sessions (VERITAS_PUBLIC_SESSIONS). */
  publicSessions: boolean;
}

export type Decision = { allowed: true } | { allowed: false; code: ProblemCode; detail?: string };

const ALLOW: Decision = { allowed: true };

export function columnOf(actor: Actor): Column {
  return actor.kind === 'user' ? actor.role : actor.kind;
}

const isScope = (cell: Cell): cell is ApiScope => typeof cell === 'string' && (API_SCOPES as readonly string[]).includes(cell);

/** Decides one request: the table's cell for the actor, then what the cell leaves to the target. */
export function decide(actor: Actor, access: Access, target: AccessTarget): Decision {
  // A bearer that was sent and did not hold (expired, revoked, forged) is answered as such, never
  // quietly taken for no credential: a revoked key must not create an anonymous public session.
  if (actor.kind === 'anonymous' && (actor.refused === 'token-expired' || actor.refused === 'invalid-credential') && access !== 'anyone') {
    return { allowed: false, code: actor.refused };
  }
  if (access === 'public' && !target.publicSessions && (actor.kind === 'anonymous' || actor.kind === 'session-reader' || actor.kind === 'session-writer')) {
    return { allowed: false, code: 'public-sessions-disabled' };
  }
  const cell = POLICY[access][columnOf(actor)];
  const passes = cell === true || (cell === 'if-public' && target.publicSessions) || (isScope(cell) && actor.kind === 'api-key' && actor.scopes.includes(cell));
  if (!passes) return refusal(actor, access, cell);
  if (access === 'reader' || access === 'writer') return sessionCheck(actor, access, target);
  return ALLOW;
}

/** On a session's routes: a capability counts for its own session only; a person or key needs the session granted. */
function sessionCheck(actor: Actor, access: 'reader' | 'writer', target: AccessTarget): Decision {
  switch (actor.kind) {
    case 'session-reader':
    case 'session-writer':
      if (actor.sessionId === target.sessionId) return ALLOW;
      // A capability for another session counts as none for this one.
      return access === 'writer' ? { allowed: false, code: 'invalid-token' } : { allowed: false, code: 'not-found' };
    case 'user':
    case 'api-key':
      // Another tenant's session, or one not granted, answers exactly as an unknown id.
      return actor.sessionGrant === 'read' ? ALLOW : { allowed: false, code: 'not-found' };
    case 'anonymous':
      return { allowed: false, code: 'not-found' };
  }
}

function refusal(actor: Actor, access: Access, cell: Cell): Decision {
  if (access === 'writer') {
    if (actor.kind === 'session-reader' && actor.refusedToken) return { allowed: false, code: actor.refusedToken };
    // A tenant session's id gives no reader, so a wrong write token for it leaves the caller anonymous.
    if (actor.kind === 'anonymous' && actor.refused === 'invalid-token') return { allowed: false, code: 'invalid-token' };
    return { allowed: false, code: 'missing-token', detail: 'send the write token as "Authorization: Bearer <token>"' };
  }
  if (access === 'reader') return { allowed: false, code: 'not-found' };
  if (access === 'public') return { allowed: false, code: 'insufficient-scope', detail: `this API key needs the scope "${String(cell)}"` };
  switch (actor.kind) {
    case 'user':
      return { allowed: false, code: 'forbidden', detail: `a ${actor.role} may not do this` };
    case 'api-key':
      return isScope(cell)
        ? { allowed: false, code: 'insufficient-scope', detail: `this API key needs the scope "${cell}"` }
        : { allowed: false, code: 'forbidden', detail: 'an API key may not do this' };
    case 'anonymous':
      return { allowed: false, code: 'unauthenticated', detail: 'sign in, or send an access token as "Authorization: Bearer <token>"' };
    default:
      return { allowed: false, code: 'unauthenticated', detail: 'this needs a signed-in person or an API key' };
  }
}

/** `decide`, throwing the typed error of a refusal. */
export function enforce(actor: Actor, access: Access, target: AccessTarget): void {
  const d = decide(actor, access, target);
  if (!d.allowed) throw new AppError(d.code, d.detail);
}

/**
 * Which sessions an actor may list (GET /v1/sessions). A session id is a read capability, so a list
 * must never hand out the ids of sessions whose holders did not publish them: capability holders see
 * only the published sessions of the public scope (the demo data). People see their tenant's sessions
 * as their role allows: an admin all of them, a teacher those of the students in their classes, an
 * observer those of the teachers they are attached to, a student their own; a key its tenant's.
 */
export type Listing = 'published' | 'tenant' | 'taught' | 'observed' | 'own';

export const LISTING: Readonly<Record<Column, Listing>> = {
  anonymous: 'published',
  'session-reader': 'published',
  'session-writer': 'published',
  admin: 'tenant',
  teacher: 'taught',
  observer: 'observed',
  student: 'own',
  'api-key': 'tenant',
};

/** The scope and the filter a listing runs with for this actor. */
export function listingOf(actor: Actor): { scope: Scope; listing: Listing; userId?: string } {
  const listing = LISTING[columnOf(actor)];
  if (listing === 'published' || (actor.kind !== 'user' && actor.kind !== 'api-key')) {
    // Not the actor's own scope: holding one session's id says nothing about the others in it.
    return { scope: PUBLIC_SCOPE, listing: 'published' };
  }
  return { scope: actor.scope, listing, ...(actor.kind === 'user' ? { userId: actor.userId } : {}) };
}
