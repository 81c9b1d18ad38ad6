import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyActor, ApiScope, UserActor } from '../../kernel/actor';
import { tenantId, tenantScope } from '../../kernel/scope';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import type { Person } from '../../testing/people';
import { buildInstitution, recordAs, type Institution } from '../../testing/institution';

let t: TestApp;
let school: Institution;
/** Sessions by who recorded them. */
const s: Record<'student' | 'otherStudent' | 'teacher' | 'otherTeacher' | 'admin' | 'stranger' | 'anonymous', string> = {} as never;
let keySession = '';

const userOf = (p: Person): UserActor => ({
  kind: 'user',
  userId: p.user.id,
  tenantId: tenantId(p.user.tenant_id),
  role: p.user.role,
  via: 'password',
  scope: tenantScope(p.user.tenant_id),
});
const keyOf = (tenant: string, scopes: ApiScope[]): ApiKeyActor => ({
  kind: 'api-key',
  keyId: 'k-test',
  tenantId: tenantId(tenant),
  scopes,
  scope: tenantScope(tenant),
});

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  for (const who of ['student', 'otherStudent', 'teacher', 'otherTeacher', 'admin', 'stranger'] as const)
    s[who] = (await recordAs(t.app, school[who], { end: false })).id;
  s.anonymous = (await recordAs(t.app, undefined, { end: false })).id;
  // A partner's session: created through the service as the route does for a key (API keys are issued by another module).
  keySession = (await t.app.services.sessions.create(tenantScope(school.tenant.id), { kind: 'writing', owner: { kind: 'api-key', id: 'k-test' } })).session.id;
}, 120_000);
afterAll(async () => t?.close());

describe(`session grants (${TEST_DB})`, () => {
  it('grants each role what it reaches in its tenant, and nothing of another tenant, the public scope or an unknown id', async () => {
    const grant = (p: Person, id: string) => t.app.services.grants.sessionGrant(userOf(p), id);
    const readable = async (p: Person) => {
      const out: string[] = [];
      for (const [who, id] of Object.entries({ ...s, key: keySession })) if ((await grant(p, id)) === 'read') out.push(who);
      return out.sort();
    };
    expect(await readable(school.admin)).toEqual(['admin', 'key', 'otherStudent', 'otherTeacher', 'student', 'teacher']);
    // A teacher: their own and their class's student's, not another class's.
    expect(await readable(school.teacher)).toEqual(['student', 'teacher']);
    expect(await readable(school.otherTeacher)).toEqual(['otherStudent', 'otherTeacher']);
    // An observer: what the teacher they are attached to reads.
    expect(await readable(school.observer)).toEqual(['student', 'teacher']);
    expect(await readable(school.otherObserver)).toEqual(['otherStudent', 'otherTeacher']);
    expect(await readable(school.student)).toEqual(['student']);
    expect(await readable(school.otherStudent)).toEqual(['otherStudent']);
    expect(await readable(school.stranger)).toEqual(['stranger']);
    expect(await grant(school.admin, 'AAAAAAAAAAAAAAAAAAAAAA')).toBe('none');
  });

  it('grants a key its tenant’s sessions only with sessions:read', async () => {
    const tenant = school.tenant.id;
    expect(await t.app.services.grants.sessionGrant(keyOf(tenant, ['sessions:read']), s.student)).toBe('read');
    expect(await t.app.services.grants.sessionGrant(keyOf(tenant, ['sessions:read']), keySession)).toBe('read');
    expect(await t.app.services.grants.sessionGrant(keyOf(tenant, ['sessions:write']), keySession)).toBe('none');
    expect(await t.app.services.grants.sessionGrant(keyOf(tenant, ['sessions:read']), s.stranger)).toBe('none');
    expect(await t.app.services.grants.sessionGrant(keyOf(tenant, ['sessions:read']), s.anonymous)).toBe('none');
  });

  it('follows the class rows: a student leaving a class is no longer read by its teacher', async () => {
    const db = t.app.services.database.db;
    const member = await db.selectFrom('class_members').selectAll().where('user_id', '=', school.otherStudent.user.id).executeTakeFirstOrThrow();
    await db.deleteFrom('class_members').where('user_id', '=', school.otherStudent.user.id).execute();
    try {
      expect(await t.app.services.grants.sessionGrant(userOf(school.otherTeacher), s.otherStudent)).toBe('none');
      expect(await t.app.services.grants.sessionGrant(userOf(school.otherObserver), s.otherStudent)).toBe('none');
      expect(await t.app.services.grants.sessionGrant(userOf(school.admin), s.otherStudent)).toBe('read');
    } finally {
      await db.insertInto('class_members').values(member).execute();
    }
  });
});
