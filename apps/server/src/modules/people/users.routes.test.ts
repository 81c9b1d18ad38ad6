import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { TEST_DB } from '../../testing/test-database';
import type { TenantRow } from './tenants.repository';

let t: TestApp;
let tenant: TenantRow;
let admin: Person;
let teacher: Person;
let observer: Person;
let student: Person;
let other: { tenant: TenantRow; admin: Person; student: Person; teacher: Person; observer: Person };

beforeAll(async () => {
  t = await createTestApp();
  tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin', { display_name: 'ada admin' });
  teacher = await buildPerson(t.app, tenant, 'teacher', { display_name: 'tom teacher' });
  observer = await buildPerson(t.app, tenant, 'observer', { display_name: 'olga observer' });
  student = await buildPerson(t.app, tenant, 'student', { display_name: 'sam student' });
  const otherTenant = await buildTenant(t.app);
  other = {
    tenant: otherTenant,
    admin: await buildPerson(t.app, otherTenant, 'admin'),
    student: await buildPerson(t.app, otherTenant, 'student'),
    teacher: await buildPerson(t.app, otherTenant, 'teacher'),
    observer: await buildPerson(t.app, otherTenant, 'observer'),
  };
});
afterAll(async () => t?.close());

const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const get = (who: Person | undefined, url: string) => call(who, { method: 'GET', url });
const patch = (who: Person | undefined, url: string, payload: unknown) => call(who, { method: 'PATCH', url, payload: payload as object });

/** A problem's fields that must not tell an unknown id from another tenant's. */
const shapeOf = (body: { type: string; status: number; title: string; detail: string }, id: string) => ({
  type: body.type,
  status: body.status,
  title: body.title,
  detail: body.detail.replace(id, '<id>'),
});

function expectProblem(r: { statusCode: number; headers: Record<string, unknown>; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode).toBe(status);
  expect(String(r.headers['content-type'])).toContain('application/problem+json');
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}

async function auditOf(resourceId: string, action: string) {
  return (await t.app.services.audit.search({ tenantId: tenant.id, resourceId, action, limit: 100 })).map((r) => r.detail);
}

describe(`GET /v1/admin/users (${TEST_DB})`, () => {
  it("gives an admin every person of the tenant by name, a page at a time, and nobody of another tenant's", async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(admin, `/v1/admin/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode, r.body).toBe(200);
      const page = r.json() as { items: { displayName: string; id: string }[]; next: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      names.push(...page.items.map((u) => u.displayName));
      cursor = page.next;
    } while (cursor);
    expect(names).toEqual(['ada admin', 'olga observer', 'sam student', 'tom teacher']);
    const one = (await get(admin, `/v1/admin/users?role=teacher`)).json().items;
    expect(one).toEqual([
      {
        id: teacher.user.id,
        email: teacher.user.email,
        displayName: 'tom teacher',
        role: 'teacher',
        status: 'active',
        enrollmentId: null,
        department: 'Languages',
        createdAt: teacher.user.created_at.toISOString(),
        lastSignInAt: null,
      },
    ]);
  });

  it('filters by role, status and text in the name or the address, taking % and _ literally', async () => {
    const ids = async (query: string) => ((await get(admin, `/v1/admin/users${query}`)).json().items as { id: string }[]).map((u) => u.id);
    expect(await ids('?q=OBSERV')).toEqual([observer.user.id]);
    expect(await ids(`?q=${encodeURIComponent(student.user.email.slice(0, 8))}`)).toEqual([student.user.id]);
    expect(await ids('?q=%25')).toEqual([]);
    expect(await ids('?q=_')).toEqual([]);
    expect(await ids('?status=disabled')).toEqual([]);
    expect(await ids('?role=student&status=active')).toEqual([student.user.id]);
  });

  it('gives a teacher the students only, whatever the filter', async () => {
    const r = await get(teacher, '/v1/admin/users');
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((u: { id: string }) => u.id)).toEqual([student.user.id]);
    expect((await get(teacher, '/v1/admin/users?role=admin')).json()).toEqual({ items: [], next: null });
    // The admin's name, with its space: a search for "ada" alone also matches random hex ids in addresses.
    expect((await get(teacher, `/v1/admin/users?q=${encodeURIComponent('ada admin')}`)).json().items).toEqual([]);
    expect((await get(admin, `/v1/admin/users?q=${encodeURIComponent('ada admin')}`)).json().items.map((u: { id: string }) => u.id)).toEqual([admin.user.id]);
  });

  it('refuses observers and students (403), and callers without a valid token (401)', async () => {
    expectProblem(await get(observer, '/v1/admin/users'), 403, 'forbidden');
    expectProblem(await get(student, '/v1/admin/users'), 403, 'forbidden');
    expectProblem(await get(undefined, '/v1/admin/users'), 401, 'unauthenticated');
    expectProblem(await t.app.inject({ url: '/v1/admin/users', headers: { authorization: 'Bearer a.b.c' } }), 401, 'invalid-credential');
  });

  it('answers a malformed query with a 400 problem', async () => {
    for (const q of [
      '?limit=0',
      '?limit=101',
      '?role=king',
      '?status=gone',
      '?cursor=nonsense',
      `?q=${encodeURIComponent('a\u0000')}`,
      '?q=',
      '?tenant=x',
      `?cursor=${Buffer.from('["a\\u0000","b"]').toString('base64url')}`,
    ]) {
      expectProblem(await get(admin, `/v1/admin/users${q}`), 400, 'invalid-request');
    }
  });
});

describe(`GET /v1/admin/users/:userId (${TEST_DB})`, () => {
  it("reads a person; another tenant's id answers exactly like an unknown one", async () => {
    const r = await get(admin, `/v1/admin/users/${student.user.id}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id: student.user.id, role: 'student', enrollmentId: student.user.enrollment_id });
    const foreign = await get(admin, `/v1/admin/users/${other.student.user.id}`);
    const unknown = await get(admin, '/v1/admin/users/u-000000000000');
    expectProblem(foreign, 404, 'not-found');
    expect(shapeOf(foreign.json(), other.student.user.id)).toEqual(shapeOf(unknown.json(), 'u-000000000000'));
  });

  it('shows a teacher a student, and any other role as unknown', async () => {
    expect((await get(teacher, `/v1/admin/users/${student.user.id}`)).statusCode).toBe(200);
    expectProblem(await get(teacher, `/v1/admin/users/${admin.user.id}`), 404, 'not-found');
    expectProblem(await get(student, `/v1/admin/users/${student.user.id}`), 403, 'forbidden');
    expectProblem(await get(undefined, `/v1/admin/users/${student.user.id}`), 401, 'unauthenticated');
  });

  it('refuses a malformed id with a 400 problem', async () => {
    for (const id of ['a%00b', 'x'.repeat(65), 'a%20b']) expectProblem(await get(admin, `/v1/admin/users/${id}`), 400, 'invalid-request');
  });
});

describe(`PATCH /v1/admin/users/:userId (${TEST_DB})`, () => {
  it("changes a student's profile and status, and audits what changed", async () => {
    const s = await buildPerson(t.app, tenant, 'student', { display_name: 'pat pupil' });
    const r = await patch(admin, `/v1/admin/users/${s.user.id}`, { displayName: ' Pat Pupil ', enrollmentId: 'E-42', status: 'disabled' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ displayName: 'Pat Pupil', enrollmentId: 'E-42', status: 'disabled', role: 'student' });
    expect((await get(admin, `/v1/admin/users/${s.user.id}`)).json()).toMatchObject({ displayName: 'Pat Pupil', status: 'disabled' });
    expect(await auditOf(s.user.id, 'user.update')).toEqual([
      {
        changes: {
          display_name: { from: 'pat pupil', to: 'Pat Pupil' },
          enrollment_id: { from: s.user.enrollment_id, to: 'E-42' },
          status: { from: 'active', to: 'disabled' },
        },
      },
    ]);
    // Nothing to change: nothing audited.
    expect((await patch(admin, `/v1/admin/users/${s.user.id}`, { status: 'disabled' })).statusCode).toBe(200);
    expect(await auditOf(s.user.id, 'user.update')).toHaveLength(1);
  });

  it("keeps each profile field to its role: a teacher's department, a student's enrollment id", async () => {
    const s = await buildPerson(t.app, tenant, 'student');
    expectProblem(await patch(admin, `/v1/admin/users/${s.user.id}`, { department: 'Maths' }), 400, 'invalid-request');
    const r = await patch(admin, `/v1/admin/users/${s.user.id}`, { role: 'teacher', department: 'Maths' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ role: 'teacher', department: 'Maths', enrollmentId: null });
    expect((await patch(admin, `/v1/admin/users/${s.user.id}`, { department: null })).json()).toMatchObject({ department: null });
  });

  it('never lets the tenant lose its last active admin (409), by demotion or by disabling', async () => {
    const lone = await buildTenant(t.app);
    const boss = await buildPerson(t.app, lone, 'admin');
    for (const change of [{ role: 'teacher' }, { status: 'disabled' }]) {
      const r = await patch(boss, `/v1/admin/users/${boss.user.id}`, change);
      expectProblem(r, 409, 'conflict');
      expect(r.json().detail).toContain('last active admin');
    }
    // With a second admin, either may step down; then the remaining one may not.
    const deputy = await buildPerson(t.app, lone, 'admin');
    expect((await patch(boss, `/v1/admin/users/${boss.user.id}`, { role: 'teacher' })).statusCode).toBe(200);
    expectProblem(await patch(deputy, `/v1/admin/users/${deputy.user.id}`, { status: 'disabled' }), 409, 'conflict');
    // A disabled admin is not an active one: re-enabling them makes a second.
    const dormant = await buildPerson(t.app, lone, 'admin', { status: 'disabled' });
    expectProblem(await patch(deputy, `/v1/admin/users/${deputy.user.id}`, { role: 'student' }), 409, 'conflict');
    expect((await patch(deputy, `/v1/admin/users/${dormant.user.id}`, { status: 'active' })).statusCode).toBe(200);
    expect((await patch(deputy, `/v1/admin/users/${deputy.user.id}`, { role: 'student' })).statusCode).toBe(200);
  });

  it('demoting two admins at once leaves one of them an admin', async () => {
    const pair = await buildTenant(t.app);
    const a = await buildPerson(t.app, pair, 'admin');
    const b = await buildPerson(t.app, pair, 'admin');
    const [ra, rb] = await Promise.all([
      patch(a, `/v1/admin/users/${b.user.id}`, { role: 'teacher' }),
      patch(b, `/v1/admin/users/${a.user.id}`, { role: 'teacher' }),
    ]);
    expect([ra.statusCode, rb.statusCode].sort()).toEqual([200, 409]);
  });

  it("drops what an old role had: a student's classes, an observer's links; a teacher with classes keeps the role (409)", async () => {
    const s = await buildPerson(t.app, tenant, 'student');
    const o = await buildPerson(t.app, tenant, 'observer');
    const tt = await buildPerson(t.app, tenant, 'teacher');
    const cls = (await call(tt, { method: 'POST', url: '/v1/classes', payload: { name: 'Roster' } })).json();
    expect((await call(tt, { method: 'PUT', url: `/v1/classes/${cls.id}/members/${s.user.id}` })).statusCode).toBe(204);
    expect((await call(admin, { method: 'PUT', url: `/v1/admin/users/${o.user.id}/teachers/${tt.user.id}` })).statusCode).toBe(204);

    expect((await patch(admin, `/v1/admin/users/${s.user.id}`, { role: 'observer' })).statusCode).toBe(200);
    expect((await get(admin, `/v1/classes/${cls.id}`)).json().members).toEqual([]);
    expect((await auditOf(s.user.id, 'user.update'))[0]).toMatchObject({ removed: { classMemberships: 1 } });

    expect((await patch(admin, `/v1/admin/users/${o.user.id}`, { role: 'student' })).statusCode).toBe(200);
    expect((await auditOf(o.user.id, 'user.update'))[0]).toMatchObject({ removed: { observerLinks: 1 } });

    const r = await patch(admin, `/v1/admin/users/${tt.user.id}`, { role: 'student' });
    expectProblem(r, 409, 'conflict');
    expect(r.json().detail).toContain('1 class');
  });

  it("answers another tenant's person exactly like an unknown one, and refuses everyone but an admin", async () => {
    const foreign = await patch(admin, `/v1/admin/users/${other.student.user.id}`, { displayName: 'x' });
    const unknown = await patch(admin, '/v1/admin/users/u-000000000000', { displayName: 'x' });
    expectProblem(foreign, 404, 'not-found');
    expect(shapeOf(foreign.json(), other.student.user.id)).toEqual(shapeOf(unknown.json(), 'u-000000000000'));
    expect((await get(other.admin, `/v1/admin/users/${other.student.user.id}`)).json().displayName).not.toBe('x');
    for (const who of [teacher, observer, student])
      expectProblem(await patch(who, `/v1/admin/users/${student.user.id}`, { displayName: 'x' }), 403, 'forbidden');
    expectProblem(await patch(undefined, `/v1/admin/users/${student.user.id}`, { displayName: 'x' }), 401, 'unauthenticated');
  });

  it('refuses a body that sets the tenant, the id or the address, or is malformed, with a 400 problem', async () => {
    const url = `/v1/admin/users/${student.user.id}`;
    for (const body of [
      { tenantId: other.tenant.id },
      { tenant_id: other.tenant.id },
      { id: 'u-new' },
      { email: 'x@y.z' },
      {},
      { role: 'emperor' },
      { status: 'deleted' },
      { displayName: '' },
      { displayName: '   ' },
      { displayName: 'a\u0000b' },
      { displayName: 'x'.repeat(201) },
      { enrollmentId: 5 },
      [],
      'text',
      null,
    ]) {
      const r = await call(admin, { method: 'PATCH', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expectProblem(r, 400, 'invalid-request');
    }
    expectProblem(await call(admin, { method: 'PATCH', url, headers: { 'content-type': 'application/json' }, payload: '{"role":' }), 400, 'malformed-json');
    expect((await get(admin, url)).json()).toMatchObject({ id: student.user.id, displayName: 'sam student', role: 'student' });
  });
});

describe(`observers (${TEST_DB})`, () => {
  const link = (who: Person | undefined, o: string, tt: string, method: 'PUT' | 'DELETE' = 'PUT') =>
    call(who, { method, url: `/v1/admin/users/${o}/teachers/${tt}` });

  it('attaches an observer to a teacher (idempotent), shows it, detaches it, and audits each change once', async () => {
    const o = await buildPerson(t.app, tenant, 'observer');
    expect((await link(admin, o.user.id, teacher.user.id)).statusCode).toBe(204);
    expect((await link(admin, o.user.id, teacher.user.id)).statusCode).toBe(204);
    expect((await get(admin, `/v1/admin/users/${o.user.id}`)).json().teachers).toEqual([teacher.user.id]);
    expect(await auditOf(o.user.id, 'observer.link')).toEqual([{ teacherId: teacher.user.id }]);
    const gone = await link(admin, o.user.id, teacher.user.id, 'DELETE');
    expect(gone.statusCode).toBe(204);
    expect(gone.body).toBe('');
    expectProblem(await link(admin, o.user.id, teacher.user.id, 'DELETE'), 404, 'not-found');
    expect((await get(admin, `/v1/admin/users/${o.user.id}`)).json().teachers).toEqual([]);
    expect(await auditOf(o.user.id, 'observer.unlink')).toEqual([{ teacherId: teacher.user.id }]);
  });

  it('needs an observer and a teacher of the tenant: another role is a 400, another tenant or nobody a 404', async () => {
    expectProblem(await link(admin, student.user.id, teacher.user.id), 400, 'role-mismatch');
    expectProblem(await link(admin, observer.user.id, admin.user.id), 400, 'role-mismatch');
    const foreign = await link(admin, observer.user.id, other.teacher.user.id);
    const unknown = await link(admin, observer.user.id, 'u-000000000000');
    expectProblem(foreign, 404, 'not-found');
    expect(shapeOf(foreign.json(), other.teacher.user.id)).toEqual(shapeOf(unknown.json(), 'u-000000000000'));
    expectProblem(await link(admin, other.observer.user.id, teacher.user.id), 404, 'not-found');
    expectProblem(await link(other.admin, other.observer.user.id, teacher.user.id), 404, 'not-found');
  });

  it('is for admins only', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      for (const who of [teacher, observer, student]) expectProblem(await link(who, observer.user.id, teacher.user.id, method), 403, 'forbidden');
      expectProblem(await link(undefined, observer.user.id, teacher.user.id, method), 401, 'unauthenticated');
    }
    expectProblem(await link(admin, 'a%00', teacher.user.id), 400, 'invalid-request');
  });
});
