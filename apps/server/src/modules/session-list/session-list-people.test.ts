import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ApiScope } from '../../kernel/actor';
import { tenantId, tenantScope } from '../../kernel/scope';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import type { Person } from '../../testing/people';
import { buildInstitution, recordAs, type Institution } from '../../testing/institution';

let t: TestApp;
let school: Institution;
const s: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  for (const who of ['student', 'otherStudent', 'teacher', 'otherTeacher', 'admin', 'stranger'] as const)
    s[who] = (await recordAs(t.app, school[who], { end: false })).id;
  s.secondOfStudent = (await recordAs(t.app, school.student, { end: false })).id;
  s.anonymous = (await recordAs(t.app, undefined, { end: false })).id;
  s.key = (await t.app.services.sessions.create(tenantScope(school.tenant.id), { kind: 'writing', owner: { kind: 'api-key', id: 'k-list' } })).session.id;
}, 120_000);
afterAll(async () => t?.close());

const name = (id: string) => Object.entries(s).find(([, v]) => v === id)?.[0] ?? id;

/** Every page of GET /v1/sessions as this person, by the names of the sessions. */
async function listed(p: Person | undefined, query = ''): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '?';
    const r = await t.app.inject({
      method: 'GET',
      url: `/v1/sessions${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`,
      headers: p?.headers ?? {},
    });
    expect(r.statusCode, r.body).toBe(200);
    const page = r.json() as { items: { id: string }[]; next: string | null };
    out.push(...page.items.map((i) => name(i.id)));
    cursor = page.next;
  } while (cursor);
  return out;
}

describe(`GET /v1/sessions for people (${TEST_DB})`, () => {
  it('lists per role exactly what that role may open, newest first, across pages', async () => {
    expect(await listed(school.admin, '?limit=2')).toEqual(['key', 'secondOfStudent', 'admin', 'otherTeacher', 'teacher', 'otherStudent', 'student']);
    expect(await listed(school.teacher, '?limit=1')).toEqual(['secondOfStudent', 'teacher', 'student']);
    expect(await listed(school.otherTeacher)).toEqual(['otherTeacher', 'otherStudent']);
    expect(await listed(school.observer)).toEqual(['secondOfStudent', 'teacher', 'student']);
    expect(await listed(school.otherObserver)).toEqual(['otherTeacher', 'otherStudent']);
    expect(await listed(school.student)).toEqual(['secondOfStudent', 'student']);
    expect(await listed(school.otherStudent)).toEqual(['otherStudent']);
    expect(await listed(school.stranger)).toEqual(['stranger']);
    // Without a credential: the published demo list, none of these.
    expect(await listed(undefined)).toEqual([]);
  });

  it('lists for a key its tenant’s sessions with sessions:read, and refuses one without it (403)', async () => {
    const key = (scopes: ApiScope[]): Actor => ({
      kind: 'api-key',
      keyId: 'k-list',
      tenantId: tenantId(school.tenant.id),
      scopes,
      scope: tenantScope(school.tenant.id),
    });
    const page = await t.app.services.sessionList.list(key(['sessions:read']), { limit: 100 });
    expect(page.items.map((i) => name(i.session.id))).toEqual(['key', 'secondOfStudent', 'admin', 'otherTeacher', 'teacher', 'otherStudent', 'student']);
    // Without sessions:read the access hook refuses it (the route is declared sessions:list).
    const made = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/api-keys',
      headers: school.admin.headers,
      payload: { name: 'writer only', scopes: ['sessions:write'] },
    });
    expect(made.statusCode).toBe(201);
    const r = await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: { authorization: `Bearer ${made.json().key}` } });
    expect(r.statusCode).toBe(403);
    expect(r.json().type).toBe('urn:veritas:problem:insufficient-scope');
  });

  it('keeps the filters and answers an expired or bad access token with 401, not the demo list', async () => {
    expect(await listed(school.admin, '?status=ended')).toEqual([]);
    expect(await listed(school.teacher, '?kind=writing')).toEqual(['secondOfStudent', 'teacher', 'student']);
    const r = await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: { authorization: 'Bearer aaa.bbb.ccc' } });
    expect(r.statusCode).toBe(401);
    expect(r.json().type).toBe('urn:veritas:problem:invalid-credential');
  });
});
