import { describe, expect, it } from 'vitest';
import { ACCESSES, COLUMNS, columnOf, decide, listingOf, LISTING, POLICY, type Column } from './policy';
import { API_SCOPES, type Actor, type ApiScope, type Role } from './actor';
import { PUBLIC_SCOPE, tenantId, tenantScope } from './scope';

const T1 = tenantScope('t1');
const user = (role: Role, extra: Partial<Actor> = {}): Actor =>
  ({ kind: 'user', userId: `u-${role}`, tenantId: tenantId('t1'), role, via: 'password', scope: T1, sessionGrant: 'read', ...extra }) as Actor;
const key = (scopes: readonly ApiScope[], extra = {}): Actor => ({
  kind: 'api-key',
  keyId: 'k1',
  tenantId: tenantId('t1'),
  scopes,
  scope: T1,
  sessionGrant: 'read',
  ...extra,
});

const actors: Record<Column, Actor> = {
  anonymous: { kind: 'anonymous' },
  'session-reader': { kind: 'session-reader', sessionId: 's1', scope: PUBLIC_SCOPE },
  'session-writer': { kind: 'session-writer', sessionId: 's1', scope: PUBLIC_SCOPE, macKey: 'k' },
  admin: user('admin'),
  teacher: user('teacher'),
  observer: user('observer'),
  student: user('student'),
  'api-key': key([...API_SCOPES]),
};

describe('policy', () => {
  it('decides every access × column as the table says (an API key holding every scope passes its scope cells)', () => {
    for (const access of ACCESSES) {
      for (const column of COLUMNS) {
        const cell = POLICY[access][column];
        const d = decide(actors[column], access, { sessionId: 's1', publicSessions: true });
        expect(d.allowed, `${access} × ${column}`).toBe(cell !== false);
      }
    }
    expect(COLUMNS.map((c) => columnOf(actors[c]))).toEqual(COLUMNS);
  });

  it('spells the table out, so a change to it is a change to this test', () => {
    const view = Object.fromEntries(
      ACCESSES.map((a) => [a, COLUMNS.filter((c) => POLICY[a][c] !== false).map((c) => (POLICY[a][c] === true ? c : `${c}(${String(POLICY[a][c])})`))]),
    );
    expect(view).toEqual({
      anyone: ['anonymous', 'session-reader', 'session-writer', 'admin', 'teacher', 'observer', 'student', 'api-key'],
      public: [
        'anonymous(if-public)',
        'session-reader(if-public)',
        'session-writer(if-public)',
        'admin',
        'teacher',
        'observer',
        'student',
        'api-key(sessions:write)',
      ],
      reader: ['session-reader', 'session-writer', 'admin', 'teacher', 'observer', 'student', 'api-key(sessions:read)'],
      writer: ['session-writer'],
      'signed-in': ['admin', 'teacher', 'observer', 'student'],
      'users:read': ['admin', 'teacher'],
      'users:manage': ['admin'],
      'classes:read': ['admin', 'teacher', 'observer'],
      'classes:manage': ['admin', 'teacher'],
      'api-keys:manage': ['admin'],
      'audit:read': ['admin'],
      'tenant:manage': ['admin'],
      'sessions:list': ['anonymous', 'session-reader', 'session-writer', 'admin', 'teacher', 'observer', 'student', 'api-key(sessions:read)'],
      'share-links:manage': ['admin', 'teacher', 'student'],
      'sessions:delete': ['admin', 'teacher'],
      'certificates:revoke': ['admin'],
      'flags:read': ['admin', 'teacher', 'observer'],
      'flags:decide': ['admin', 'teacher'],
      'flags:answer': ['student'],
      'flags:read-own': ['student'],
      'exams:read': ['admin', 'teacher', 'student'],
      'exams:manage': ['admin', 'teacher'],
      'attempts:take': ['student'],
      'attempts:read': ['admin', 'teacher', 'student', 'api-key(attempts:grade)'],
      'attempts:grade': ['teacher', 'api-key(attempts:grade)'],
      'attempts:analyses': ['api-key(analyses:write)'],
      'dashboards:student': ['student'],
      'dashboards:teacher': ['teacher'],
      'exams:analytics': ['admin', 'teacher'],
      'attempts:monitor': ['admin', 'teacher'],
      'students:read': ['admin', 'teacher', 'observer'],
      'exams:watch': ['admin', 'teacher', 'observer'],
      'alerts:acknowledge': ['admin', 'teacher'],
      'webhooks:manage': ['admin'],
    });
  });

  it('refuses a capability for another session as if there were none', () => {
    expect(decide(actors['session-writer'], 'writer', { sessionId: 's2', publicSessions: true })).toEqual({ allowed: false, code: 'invalid-token' });
    expect(decide(actors['session-reader'], 'reader', { sessionId: 's2', publicSessions: true })).toEqual({ allowed: false, code: 'not-found' });
  });

  it('lets a person or key read a session only when it is granted to them, answering 404 otherwise', () => {
    const target = { sessionId: 's1', publicSessions: true };
    for (const role of ['admin', 'teacher', 'observer', 'student'] as const) {
      expect(decide(user(role, { sessionGrant: 'none' } as Partial<Actor>), 'reader', target)).toEqual({ allowed: false, code: 'not-found' });
      expect(decide(user(role, {} as Partial<Actor>), 'reader', target).allowed).toBe(true);
      // People never write through the capability route: the recorder holds the write token.
      expect(decide(user(role), 'writer', target)).toMatchObject({ allowed: false, code: 'missing-token' });
    }
    expect(decide(key(['sessions:read'], { sessionGrant: 'none' }), 'reader', target)).toEqual({ allowed: false, code: 'not-found' });
    expect(decide(key(['sessions:write']), 'reader', target)).toEqual({ allowed: false, code: 'not-found' });
  });

  it('names why a route is refused: no credential, an expired or bad one, a role, a missing scope', () => {
    const target = { publicSessions: true };
    expect(decide(actors.anonymous, 'users:manage', target)).toMatchObject({ code: 'unauthenticated' });
    expect(decide({ kind: 'anonymous', refused: 'token-expired' }, 'signed-in', target)).toMatchObject({ code: 'token-expired' });
    expect(decide({ kind: 'anonymous', refused: 'invalid-credential' }, 'signed-in', target)).toMatchObject({ code: 'invalid-credential' });
    // A refused bearer is never taken for no credential, not even where anonymous callers pass.
    for (const access of ['public', 'reader', 'writer'] as const) {
      expect(decide({ kind: 'anonymous', refused: 'invalid-credential' }, access, { ...target, sessionId: 's1' })).toMatchObject({
        code: 'invalid-credential',
      });
    }
    expect(decide({ kind: 'anonymous', refused: 'token-expired' }, 'anyone', target).allowed).toBe(true);
    expect(decide(actors['session-writer'], 'signed-in', target)).toMatchObject({ code: 'unauthenticated' });
    expect(decide(user('student'), 'users:manage', target)).toMatchObject({ code: 'forbidden' });
    expect(decide(key(['sessions:write']), 'sessions:list', target)).toMatchObject({ code: 'insufficient-scope' });
    expect(decide(key(['sessions:read']), 'public', target)).toMatchObject({ code: 'insufficient-scope' });
    expect(decide(key([...API_SCOPES]), 'users:manage', target)).toMatchObject({ code: 'forbidden' });
  });

  it('names why a writer route is refused', () => {
    const target = { sessionId: 's1', publicSessions: true };
    expect(decide(actors.anonymous, 'writer', target)).toMatchObject({ allowed: false, code: 'missing-token' });
    expect(decide(actors['session-reader'], 'writer', target)).toMatchObject({ allowed: false, code: 'missing-token' });
    expect(decide({ kind: 'session-reader', sessionId: 's1', scope: PUBLIC_SCOPE, refusedToken: 'invalid-token' }, 'writer', target)).toMatchObject({
      code: 'invalid-token',
    });
    // A write token that does not hold for a tenant's session: invalid-token on its writer routes, 404 on its reader routes.
    expect(decide({ kind: 'anonymous', refused: 'invalid-token' }, 'writer', target)).toMatchObject({ allowed: false, code: 'invalid-token' });
    expect(decide({ kind: 'anonymous', refused: 'invalid-token' }, 'reader', target)).toMatchObject({ allowed: false, code: 'not-found' });
  });

  it('closes public routes to capability holders when the server takes no anonymous sessions, not to people and keys', () => {
    for (const column of ['anonymous', 'session-reader', 'session-writer'] as const) {
      expect(decide(actors[column], 'public', { publicSessions: false })).toEqual({ allowed: false, code: 'public-sessions-disabled' });
      expect(decide(actors[column], 'anyone', { publicSessions: false }).allowed).toBe(true);
    }
    expect(decide(user('student'), 'public', { publicSessions: false }).allowed).toBe(true);
    expect(decide(key(['sessions:write']), 'public', { publicSessions: false }).allowed).toBe(true);
  });

  it('lists published public sessions for capability holders whatever scope they hold, and the tenant by role for people', () => {
    expect(LISTING).toEqual({
      anonymous: 'published',
      'session-reader': 'published',
      'session-writer': 'published',
      admin: 'tenant',
      teacher: 'taught',
      observer: 'observed',
      student: 'own',
      'api-key': 'tenant',
    });
    const tenantWriter: Actor = { kind: 'session-writer', sessionId: 's1', scope: T1, macKey: 'k' };
    for (const actor of [actors.anonymous, actors['session-reader'], tenantWriter])
      expect(listingOf(actor)).toEqual({ scope: PUBLIC_SCOPE, listing: 'published' });
    expect(listingOf(user('teacher'))).toEqual({ scope: T1, listing: 'taught', userId: 'u-teacher' });
    expect(listingOf(actors['api-key'])).toEqual({ scope: T1, listing: 'tenant' });
  });
});
