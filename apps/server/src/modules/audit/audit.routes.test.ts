import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { TEST_DB } from '../../testing/test-database';

let t: TestApp;
let admin: Person;
let teacher: Person;
let others: Person[];
let stranger: Person;
let classId: string;
let strangerClassId: string;
let startedAt: Date;

const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const search = (who: Person | undefined, query = '') => call(who, { method: 'GET', url: `/v1/admin/audit${query}` });

interface Entry {
  seq: number;
  action: string;
  actor: { kind: string; id: string | null; authMethod: string };
  resource: { type: string; id: string | null };
  detail: Record<string, unknown>;
  at: string;
  requestId: string | null;
}

beforeAll(async () => {
  t = await createTestApp();
  const tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin');
  teacher = await buildPerson(t.app, tenant, 'teacher');
  others = [teacher, await buildPerson(t.app, tenant, 'observer'), await buildPerson(t.app, tenant, 'student')];
  const elsewhere = await buildTenant(t.app);
  stranger = await buildPerson(t.app, elsewhere, 'admin');
  const strangerTeacher = await buildPerson(t.app, elsewhere, 'teacher');
  startedAt = new Date();
  // What the trail will hold: a class by the teacher, a rename by the admin, the tenant's name by the admin.
  classId = (await call(teacher, { method: 'POST', url: '/v1/classes', payload: { name: 'History' }, headers: { 'x-request-id': 'req-class-1' } })).json().id;
  expect((await call(admin, { method: 'PATCH', url: `/v1/classes/${classId}`, payload: { name: 'Modern History' } })).statusCode).toBe(200);
  expect((await call(admin, { method: 'PATCH', url: '/v1/admin/tenant', payload: { name: 'Renamed' } })).statusCode).toBe(200);
  strangerClassId = (await call(stranger, { method: 'POST', url: '/v1/classes', payload: { name: 'Theirs', teacherId: strangerTeacher.user.id } })).json().id;
});
afterAll(async () => t?.close());

function expectProblem(r: { statusCode: number; headers: Record<string, unknown>; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode).toBe(status);
  expect(String(r.headers['content-type'])).toContain('application/problem+json');
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}

const actions = async (query = '') => ((await search(admin, query)).json().items as Entry[]).map((e) => e.action);

describe(`GET /v1/admin/audit (${TEST_DB})`, () => {
  it("gives an admin the tenant's trail, newest first, with who did what to which resource from where", async () => {
    const r = await search(admin);
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().items as Entry[];
    expect(items.map((e) => e.action)).toEqual(['tenant.update', 'class.update', 'class.create']);
    expect(items.map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(items[2]).toMatchObject({
      actor: { kind: 'user', id: teacher.user.id, authMethod: 'password' },
      resource: { type: 'class', id: classId },
      detail: { name: 'History', teacherId: teacher.user.id },
      requestId: 'req-class-1',
    });
    // Another tenant's entries never appear, whatever the filter.
    expect(await actions(`?resourceId=${strangerClassId}`)).toEqual([]);
    expect(((await search(stranger)).json().items as Entry[]).map((e) => e.resource.id)).toEqual([strangerClassId]);
  });

  it('filters by actor, action, resource and time, and pages with a cursor', async () => {
    expect(await actions(`?actorId=${admin.user.id}`)).toEqual(['tenant.update', 'class.update']);
    expect(await actions('?action=class.create')).toEqual(['class.create']);
    expect(await actions(`?resourceType=class&resourceId=${classId}`)).toEqual(['class.update', 'class.create']);
    expect(await actions(`?from=${startedAt.toISOString()}`)).toHaveLength(3);
    expect(await actions(`?to=${startedAt.toISOString()}`)).toEqual([]);
    const first = (await search(admin, '?limit=2')).json();
    expect(first.items.map((e: Entry) => e.action)).toEqual(['tenant.update', 'class.update']);
    expect(first.next).toEqual(expect.any(String));
    const second = (await search(admin, `?limit=2&cursor=${first.next}`)).json();
    expect(second).toMatchObject({ items: [{ action: 'class.create' }], next: null });
  });

  it('is for admins only', async () => {
    for (const who of others) expectProblem(await search(who), 403, 'forbidden');
    expectProblem(await search(undefined), 401, 'unauthenticated');
  });

  it('answers a malformed query with a 400 problem', async () => {
    for (const q of [
      '?limit=0',
      '?limit=201',
      '?cursor=abc',
      '?cursor=2',
      `?cursor=${Buffer.from('seq:0').toString('base64url')}`,
      `?cursor=${Buffer.from('seq:1e3').toString('base64url')}`,
      '?from=yesterday',
      '?to=0000-01-01T00:00:00Z',
      `?action=${encodeURIComponent('a\u0000')}`,
      '?actorId=',
      '?tenantId=x',
    ]) {
      expectProblem(await search(admin, q), 400, 'invalid-request');
    }
  });
});
