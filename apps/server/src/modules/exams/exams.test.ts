import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { buildPerson, type Person } from '../../testing/people';
import { forgeTokens } from '../../testing/forged-tokens';

/** Exams (issue 12): create, list by role, read, change, archive, co-teachers; tenant, role and token refusals. */
let t: TestApp;
let s: Institution;
let classA: string;
let classB: string;

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const examBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'Essay on rivers',
  subject: 'Geography',
  instructions: 'Write 300 words about a river you know.',
  kind: 'writing',
  maxScore: 20,
  passMark: 10,
  durationMinutes: 60,
  opensAt: iso(-HOUR),
  closesAt: iso(2 * HOUR),
  classIds: [classA],
  analysis: { thresholds: { pauseMs: 3000 }, acceptHostSignals: false },
  accommodations: { dictation: true, assistiveTechnology: true },
  ...overrides,
});
async function createExam(who: Person, overrides: Record<string, unknown> = {}): Promise<{ id: string } & Record<string, unknown>> {
  const r = await call(who, { method: 'POST', url: '/v1/exams', payload: examBody(overrides) });
  if (r.statusCode !== 201) throw new Error(`creating an exam answered ${r.statusCode}: ${r.body}`);
  return r.json();
}
function expectProblem(r: { statusCode: number; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}
const listIds = async (who: Person) => ((await call(who, { method: 'GET', url: '/v1/exams?limit=100' })).json().items as { id: string }[]).map((e) => e.id);
const audited = async (examId: string) =>
  (await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'exam', resourceId: examId, limit: 100 })).map((r) => r.action).reverse();

beforeAll(async () => {
  t = await createTestApp();
  s = await buildInstitution(t.app);
  const db = t.app.services.database.db;
  classA = (await db.selectFrom('classes').select('id').where('teacher_id', '=', s.teacher.user.id).executeTakeFirstOrThrow()).id;
  classB = (await db.selectFrom('classes').select('id').where('teacher_id', '=', s.otherTeacher.user.id).executeTakeFirstOrThrow()).id;
}, 60_000);
afterAll(async () => t?.close());

describe('creating an exam', () => {
  it('stores every field, makes the teacher its owner, and audits it', async () => {
    const exam = await createExam(s.teacher);
    expect(exam).toMatchObject({
      title: 'Essay on rivers',
      subject: 'Geography',
      kind: 'writing',
      maxScore: 20,
      passMark: 10,
      durationMinutes: 60,
      ownerId: s.teacher.user.id,
      classIds: [classA],
      coTeacherIds: [],
      analysis: { thresholds: { pauseMs: 3000 }, acceptHostSignals: false },
      accommodations: { dictation: true, assistiveTechnology: true },
      resultsReleasedAt: null,
      archivedAt: null,
    });
    const read = await call(s.teacher, { method: 'GET', url: `/v1/exams/${exam.id}` });
    expect(read.json()).toEqual(exam);
    expect(await audited(exam.id)).toEqual(['exam.create']);
  });

  it('refuses a teacher another teacher’s class, and what does not hold together', async () => {
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ classIds: [classB] }) }), 404, 'not-found');
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ passMark: 30 }) }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ closesAt: iso(-2 * HOUR) }) }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ kind: 'generic' }) }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ durationMinutes: 0 }) }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ title: 'x'.repeat(201) }) }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ owner: s.admin.user.id }) }), 400, 'invalid-request');
    expectProblem(
      await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ analysis: { thresholds: { pauseMs: -1 } } }) }),
      400,
      'invalid-request',
    );
    expectProblem(
      await call(s.teacher, { method: 'POST', url: '/v1/exams', payload: examBody({ analysis: { thresholds: { nope: 1 } } }) }),
      400,
      'invalid-request',
    );
  });

  it('lets an admin give it to any class of the tenant, and no student, observer, key or stranger create one', async () => {
    const exam = await createExam(s.admin, { classIds: [classA, classB] });
    expect(exam.ownerId).toBe(s.admin.user.id);
    for (const who of [s.student, s.observer]) expectProblem(await call(who, { method: 'POST', url: '/v1/exams', payload: examBody() }), 403, 'forbidden');
    // Another tenant's admin: the classes are not theirs (unknown), nothing is made.
    expectProblem(await call(s.stranger, { method: 'POST', url: '/v1/exams', payload: examBody() }), 404, 'not-found');
    expectProblem(await call(undefined, { method: 'POST', url: '/v1/exams', payload: examBody() }), 401, 'unauthenticated');
  });

  it('refuses tampered and expired tokens', async () => {
    const forged = await forgeTokens(t.app, s.teacher.user, s.teacher.token);
    // The payload changed (a student made admin), the signature kept.
    const [h, p, sig] = s.student.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${sig}`;
    for (const token of [tampered, forged.otherKey, forged.algNone]) {
      expectProblem(await t.app.inject({ method: 'GET', url: '/v1/exams', headers: { authorization: `Bearer ${token}` } }), 401, 'invalid-credential');
    }
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/exams', headers: { authorization: `Bearer ${forged.expired}` } }), 401, 'token-expired');
  });
});

describe('who sees which exam', () => {
  it('a teacher their own and co-taught, an admin all, a student the open ones of their classes, another tenant none', async () => {
    const open = await createExam(s.teacher);
    const later = await createExam(s.teacher, { opensAt: iso(HOUR), closesAt: iso(3 * HOUR) });
    const closed = await createExam(s.teacher, { opensAt: iso(-3 * HOUR), closesAt: iso(-HOUR) });
    const other = await createExam(s.otherTeacher, { classIds: [classB] });

    expect(await listIds(s.teacher)).toEqual(expect.arrayContaining([open.id, later.id, closed.id]));
    expect(await listIds(s.teacher)).not.toContain(other.id);
    expect(await listIds(s.admin)).toEqual(expect.arrayContaining([open.id, later.id, closed.id, other.id]));
    const studentSees = await listIds(s.student);
    expect(studentSees).toContain(open.id);
    expect(studentSees).not.toContain(later.id);
    expect(studentSees).not.toContain(closed.id);
    expect(studentSees).not.toContain(other.id);
    expect(await listIds(s.otherStudent)).not.toContain(open.id);
    expect(await listIds(s.stranger)).toEqual([]);

    expectProblem(await call(s.otherTeacher, { method: 'GET', url: `/v1/exams/${open.id}` }), 404, 'not-found');
    expectProblem(await call(s.otherStudent, { method: 'GET', url: `/v1/exams/${open.id}` }), 404, 'not-found');
    expectProblem(await call(s.student, { method: 'GET', url: `/v1/exams/${later.id}` }), 404, 'not-found');
    expectProblem(await call(s.stranger, { method: 'GET', url: `/v1/exams/${open.id}` }), 404, 'not-found');
    expectProblem(await call(s.observer, { method: 'GET', url: `/v1/exams/${open.id}` }), 403, 'forbidden');
    // A closed exam is still readable by its students (their results), never startable.
    expect((await call(s.student, { method: 'GET', url: `/v1/exams/${closed.id}` })).statusCode).toBe(200);
  });

  it('pages the list with its cursor', async () => {
    for (let i = 0; i < 3; i++) await createExam(s.otherTeacher, { classIds: [classB] });
    const all = await listIds(s.otherTeacher);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await call(s.otherTeacher, { method: 'GET', url: `/v1/exams?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
      const page = r.json() as { items: { id: string }[]; next: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(all);
    expectProblem(await call(s.otherTeacher, { method: 'GET', url: '/v1/exams?limit=101' }), 400, 'invalid-request');
    expectProblem(await call(s.otherTeacher, { method: 'GET', url: '/v1/exams?cursor=abc' }), 400, 'invalid-request');
  });
});

describe('changing an exam', () => {
  it('by its owner, a co-teacher once granted, or an admin; co-teachers are granted by the owner only', async () => {
    const exam = await createExam(s.teacher);
    const url = `/v1/exams/${exam.id}`;
    expectProblem(await call(s.otherTeacher, { method: 'PATCH', url, payload: { title: 'Hijacked' } }), 404, 'not-found');
    expectProblem(await call(s.stranger, { method: 'PATCH', url, payload: { title: 'Hijacked' } }), 404, 'not-found');
    expectProblem(await call(s.student, { method: 'PATCH', url, payload: { title: 'Hijacked' } }), 403, 'forbidden');

    expect((await call(s.teacher, { method: 'PUT', url: `${url}/co-teachers/${s.otherTeacher.user.id}` })).statusCode).toBe(204);
    expect((await call(s.teacher, { method: 'PUT', url: `${url}/co-teachers/${s.otherTeacher.user.id}` })).statusCode).toBe(204); // idempotent
    expectProblem(await call(s.teacher, { method: 'PUT', url: `${url}/co-teachers/${s.student.user.id}` }), 400, 'role-mismatch');
    expectProblem(await call(s.teacher, { method: 'PUT', url: `${url}/co-teachers/${s.teacher.user.id}` }), 409, 'conflict');
    expectProblem(await call(s.teacher, { method: 'PUT', url: `${url}/co-teachers/u-nobody` }), 404, 'not-found');
    expect(await listIds(s.otherTeacher)).toContain(exam.id);

    const changed = await call(s.otherTeacher, { method: 'PATCH', url, payload: { title: 'Essay on lakes', durationMinutes: 45 } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ title: 'Essay on lakes', durationMinutes: 45, coTeacherIds: [s.otherTeacher.user.id] });
    // A co-teacher changes the exam but neither grants co-teaching nor archives it.
    expectProblem(await call(s.otherTeacher, { method: 'PUT', url: `${url}/co-teachers/${s.otherTeacher.user.id}` }), 404, 'not-found');
    expectProblem(await call(s.otherTeacher, { method: 'DELETE', url }), 404, 'not-found');
    expectProblem(await call(s.teacher, { method: 'PATCH', url, payload: { passMark: 50 } }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'PATCH', url, payload: {} }), 400, 'invalid-request');

    expect((await call(s.admin, { method: 'DELETE', url: `${url}/co-teachers/${s.otherTeacher.user.id}` })).statusCode).toBe(204);
    expectProblem(await call(s.admin, { method: 'DELETE', url: `${url}/co-teachers/${s.otherTeacher.user.id}` }), 404, 'not-found');
    expect(await listIds(s.otherTeacher)).not.toContain(exam.id);
    expect(await audited(exam.id)).toEqual(['exam.create', 'exam.co-teacher.add', 'exam.update', 'exam.co-teacher.remove']);
  });

  it('archives: its students no longer see it, its owner still does', async () => {
    const exam = await createExam(s.teacher);
    expect(await listIds(s.student)).toContain(exam.id);
    expect((await call(s.teacher, { method: 'DELETE', url: `/v1/exams/${exam.id}` })).statusCode).toBe(204);
    expect(await listIds(s.student)).not.toContain(exam.id);
    const read = await call(s.teacher, { method: 'GET', url: `/v1/exams/${exam.id}` });
    expect(read.json().archivedAt).not.toBeNull();
    expect(await audited(exam.id)).toEqual(['exam.create', 'exam.archive']);
  });

  it('an admin of the tenant sees and archives any exam; a teacher of another tenant never', async () => {
    const exam = await createExam(s.teacher);
    const bTeacher = await buildPerson(t.app, s.otherTenant, 'teacher');
    expectProblem(await call(bTeacher, { method: 'DELETE', url: `/v1/exams/${exam.id}` }), 404, 'not-found');
    expectProblem(await call(bTeacher, { method: 'PUT', url: `/v1/exams/${exam.id}/co-teachers/${bTeacher.user.id}` }), 404, 'not-found');
    expect((await call(s.admin, { method: 'DELETE', url: `/v1/exams/${exam.id}` })).statusCode).toBe(204);
  });
});
