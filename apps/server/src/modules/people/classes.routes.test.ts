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
let colleague: Person;
let observer: Person;
let student: Person;
let pupil: Person;
let other: { admin: Person; teacher: Person; student: Person };

beforeAll(async () => {
  t = await createTestApp();
  tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin');
  teacher = await buildPerson(t.app, tenant, 'teacher');
  colleague = await buildPerson(t.app, tenant, 'teacher');
  observer = await buildPerson(t.app, tenant, 'observer');
  student = await buildPerson(t.app, tenant, 'student', { display_name: 'b student' });
  pupil = await buildPerson(t.app, tenant, 'student', { display_name: 'a pupil' });
  const otherTenant = await buildTenant(t.app);
  other = {
    admin: await buildPerson(t.app, otherTenant, 'admin'),
    teacher: await buildPerson(t.app, otherTenant, 'teacher'),
    student: await buildPerson(t.app, otherTenant, 'student'),
  };
  // The observer follows the teacher, not the colleague.
  const r = await call(admin, { method: 'PUT', url: `/v1/admin/users/${observer.user.id}/teachers/${teacher.user.id}` });
  expect(r.statusCode).toBe(204);
});
afterAll(async () => t?.close());

const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const create = (who: Person | undefined, payload: object) => call(who, { method: 'POST', url: '/v1/classes', payload });
const member = (who: Person | undefined, classId: string, userId: string, method: 'PUT' | 'DELETE' = 'PUT') =>
  call(who, { method, url: `/v1/classes/${classId}/members/${userId}` });
const names = async (who: Person) => ((await call(who, { method: 'GET', url: '/v1/classes?limit=100' })).json().items as { name: string }[]).map((c) => c.name);

function expectProblem(r: { statusCode: number; headers: Record<string, unknown>; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode).toBe(status);
  expect(String(r.headers['content-type'])).toContain('application/problem+json');
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}

const shapeOf = (body: { type: string; status: number; title: string; detail: string }, id: string) => ({
  ...body,
  detail: body.detail.replace(id, '<id>'),
  requestId: undefined,
});

async function audited(resourceId: string) {
  return (await t.app.services.audit.search({ tenantId: tenant.id, resourceType: 'class', resourceId, limit: 100 })).reverse().map((r) => [r.action, r.detail]);
}

describe(`classes (${TEST_DB})`, () => {
  it('a teacher creates classes for themself, an admin for any teacher; each sees what is theirs to see', async () => {
    const own = await create(teacher, { name: 'Year 9 English' });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ name: 'Year 9 English', teacherId: teacher.user.id, members: [] });
    const given = await create(admin, { name: 'Year 10 Maths', teacherId: colleague.user.id });
    expect(given.statusCode, given.body).toBe(201);
    expect(given.json().teacherId).toBe(colleague.user.id);
    await create(other.teacher, { name: 'Elsewhere' });

    expect(await names(admin)).toEqual(['Year 10 Maths', 'Year 9 English']);
    expect(await names(teacher)).toEqual(['Year 9 English']);
    expect(await names(colleague)).toEqual(['Year 10 Maths']);
    expect(await names(observer)).toEqual(['Year 9 English']);
    expect(await names(other.admin)).toEqual(['Elsewhere']);
    const byTeacher = await call(admin, { method: 'GET', url: `/v1/classes?teacherId=${colleague.user.id}` });
    expect(byTeacher.json().items.map((c: { name: string }) => c.name)).toEqual(['Year 10 Maths']);
    expect(await audited(own.json().id)).toEqual([['class.create', { name: 'Year 9 English', teacherId: teacher.user.id }]]);
  });

  it('pages through classes by name', async () => {
    const boss = await buildTenant(t.app);
    const a = await buildPerson(t.app, boss, 'admin');
    const tt = await buildPerson(t.app, boss, 'teacher');
    for (const n of ['c', 'a', 'e', 'b', 'd']) expect((await create(a, { name: n, teacherId: tt.user.id })).statusCode).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await call(a, { method: 'GET', url: `/v1/classes?limit=2${cursor ? `&cursor=${cursor}` : ''}` })).json() as {
        items: { name: string }[];
        next: string | null;
      };
      seen.push(...page.items.map((c) => c.name));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('refuses what a role may not: a teacher for another teacher, an admin without a teacher, a class for a non-teacher', async () => {
    expectProblem(await create(teacher, { name: 'x', teacherId: colleague.user.id }), 403, 'forbidden');
    expectProblem(await create(admin, { name: 'x' }), 400, 'invalid-request');
    expectProblem(await create(admin, { name: 'x', teacherId: student.user.id }), 400, 'role-mismatch');
    expectProblem(await create(admin, { name: 'x', teacherId: other.teacher.user.id }), 404, 'not-found');
    for (const who of [observer, student]) expectProblem(await create(who, { name: 'x' }), 403, 'forbidden');
    expectProblem(await create(undefined, { name: 'x' }), 401, 'unauthenticated');
    expectProblem(await call(student, { method: 'GET', url: '/v1/classes' }), 403, 'forbidden');
    expectProblem(await call(undefined, { method: 'GET', url: '/v1/classes' }), 401, 'unauthenticated');
  });

  it('adds and removes students; a class another teacher owns, or another tenant’s, answers as unknown', async () => {
    const cls = (await create(teacher, { name: 'Roster' })).json();
    expect((await member(teacher, cls.id, student.user.id)).statusCode).toBe(204);
    expect((await member(teacher, cls.id, student.user.id)).statusCode).toBe(204);
    expect((await member(admin, cls.id, pupil.user.id)).statusCode).toBe(204);
    const read = await call(observer, { method: 'GET', url: `/v1/classes/${cls.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json().members).toEqual([
      { id: pupil.user.id, displayName: 'a pupil', email: pupil.user.email, enrollmentId: pupil.user.enrollment_id, status: 'active' },
      { id: student.user.id, displayName: 'b student', email: student.user.email, enrollmentId: student.user.enrollment_id, status: 'active' },
    ]);
    // Only a student of the tenant.
    expectProblem(await member(teacher, cls.id, colleague.user.id), 400, 'role-mismatch');
    const foreignStudent = await member(teacher, cls.id, other.student.user.id);
    expectProblem(foreignStudent, 404, 'not-found');
    expect(shapeOf(foreignStudent.json(), other.student.user.id)).toEqual(shapeOf((await member(teacher, cls.id, 'u-000000000000')).json(), 'u-000000000000'));
    // Another teacher's class, another tenant's: unknown, for reading and for writing.
    const unknown = await member(colleague, 'no-such-class', student.user.id);
    for (const r of [
      await member(colleague, cls.id, pupil.user.id, 'DELETE'),
      await member(other.admin, cls.id, pupil.user.id, 'DELETE'),
      await member(other.teacher, cls.id, other.student.user.id),
    ]) {
      expectProblem(r, 404, 'not-found');
      expect(shapeOf(r.json(), cls.id)).toEqual(shapeOf(unknown.json(), 'no-such-class'));
    }
    expectProblem(await call(colleague, { method: 'GET', url: `/v1/classes/${cls.id}` }), 404, 'not-found');
    expectProblem(await call(other.admin, { method: 'GET', url: `/v1/classes/${cls.id}` }), 404, 'not-found');
    expectProblem(await member(observer, cls.id, pupil.user.id, 'DELETE'), 403, 'forbidden');

    expect((await member(teacher, cls.id, pupil.user.id, 'DELETE')).statusCode).toBe(204);
    expectProblem(await member(teacher, cls.id, pupil.user.id, 'DELETE'), 404, 'not-found');
    expect((await call(teacher, { method: 'GET', url: `/v1/classes/${cls.id}` })).json().members.map((m: { id: string }) => m.id)).toEqual([student.user.id]);
    expect(await audited(cls.id)).toEqual([
      ['class.create', { name: 'Roster', teacherId: teacher.user.id }],
      ['class.member.add', { userId: student.user.id }],
      ['class.member.add', { userId: pupil.user.id }],
      ['class.member.remove', { userId: pupil.user.id }],
    ]);
  });

  it('renames, gives to another teacher (an admin only) and deletes, audited', async () => {
    const cls = (await create(teacher, { name: 'Draft' })).json();
    expect((await member(teacher, cls.id, student.user.id)).statusCode).toBe(204);
    const renamed = await call(teacher, { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: { name: 'Final' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Final', teacherId: teacher.user.id, members: [{ id: student.user.id }] });
    expectProblem(await call(teacher, { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: { teacherId: colleague.user.id } }), 403, 'forbidden');
    expectProblem(await call(colleague, { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: { name: 'Mine' } }), 404, 'not-found');
    expectProblem(await call(admin, { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: { teacherId: observer.user.id } }), 400, 'role-mismatch');
    const given = await call(admin, { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: { teacherId: colleague.user.id } });
    expect(given.json().teacherId).toBe(colleague.user.id);
    // Now the colleague's: the first teacher no longer sees it.
    expectProblem(await call(teacher, { method: 'DELETE', url: `/v1/classes/${cls.id}` }), 404, 'not-found');
    expectProblem(await call(other.admin, { method: 'DELETE', url: `/v1/classes/${cls.id}` }), 404, 'not-found');
    const deleted = await call(colleague, { method: 'DELETE', url: `/v1/classes/${cls.id}` });
    expect(deleted.statusCode).toBe(204);
    expectProblem(await call(admin, { method: 'GET', url: `/v1/classes/${cls.id}` }), 404, 'not-found');
    // The student is still there.
    expect((await call(admin, { method: 'GET', url: `/v1/admin/users/${student.user.id}` })).statusCode).toBe(200);
    expect(await audited(cls.id)).toEqual([
      ['class.create', { name: 'Draft', teacherId: teacher.user.id }],
      ['class.member.add', { userId: student.user.id }],
      ['class.update', { changes: { name: { from: 'Draft', to: 'Final' } } }],
      ['class.update', { changes: { teacherId: { from: teacher.user.id, to: colleague.user.id } } }],
      ['class.delete', { name: 'Final', teacherId: colleague.user.id, members: 1 }],
    ]);
  });

  it('refuses every change to observers and students (403) and to callers without a token (401), before looking at the class', async () => {
    const cls = (await create(teacher, { name: 'Guarded' })).json();
    const changes: InjectOptions[] = [
      { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: { name: 'x' } },
      { method: 'DELETE', url: `/v1/classes/${cls.id}` },
      { method: 'PUT', url: `/v1/classes/${cls.id}/members/${student.user.id}` },
      { method: 'DELETE', url: `/v1/classes/${cls.id}/members/${student.user.id}` },
    ];
    for (const opts of changes) {
      for (const who of [observer, student]) expectProblem(await call(who, opts), 403, 'forbidden');
      expectProblem(await call(undefined, opts), 401, 'unauthenticated');
    }
    expectProblem(await call(student, { method: 'GET', url: `/v1/classes/${cls.id}` }), 403, 'forbidden');
    expectProblem(await call(undefined, { method: 'GET', url: `/v1/classes/${cls.id}` }), 401, 'unauthenticated');
    expect((await call(teacher, { method: 'GET', url: `/v1/classes/${cls.id}` })).json()).toMatchObject({ name: 'Guarded', members: [] });
  });

  it('answers malformed input with a 400 problem, never a 500', async () => {
    const cls = (await create(teacher, { name: 'Inputs' })).json();
    for (const body of [
      {},
      { name: '' },
      { name: ' ' },
      { name: 'a\u0000' },
      { name: 'x'.repeat(201) },
      { name: 'x', tenantId: 'y' },
      { name: 'x', id: 'y' },
      { name: 5 },
      [],
      null,
    ]) {
      const r = await call(teacher, { method: 'POST', url: '/v1/classes', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expectProblem(r, 400, 'invalid-request');
    }
    for (const body of [{}, { name: '\ud800' }, { teacherId: 'a b' }, { members: [] }]) {
      expectProblem(await call(teacher, { method: 'PATCH', url: `/v1/classes/${cls.id}`, payload: body }), 400, 'invalid-request');
    }
    for (const url of [
      '/v1/classes/a%00',
      `/v1/classes/${'x'.repeat(65)}`,
      `/v1/classes/${cls.id}/members/a%00`,
      '/v1/classes?limit=0',
      '/v1/classes?cursor=zz',
      '/v1/classes?teacherId=%00',
    ]) {
      expectProblem(await call(teacher, { method: url.includes('members') ? 'PUT' : 'GET', url }), 400, 'invalid-request');
    }
  });
});
