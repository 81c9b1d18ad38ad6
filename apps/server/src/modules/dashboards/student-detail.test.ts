import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { simulate } from '@veritas/simulator';
import type { VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, until, type Institution } from '../../testing/institution';
import { buildPerson, type Person } from '../../testing/people';
import { chainBatches, typingEvents } from '../../testing/batches';
import { forgeTokens, type ForgedTokens } from '../../testing/forged-tokens';
import type { KyselyPlugin } from 'kysely';
import type { UserActor } from '../../kernel/actor';
import { tenantId, tenantScope } from '../../kernel/scope';
import { createStudentDetailService } from './student-detail.service';

/**
 * GET /v1/students/{studentId} (issue 12, the teacher's student detail): the profile, classes, the
 * attempts at the caller's exams only, the momentum; who may read which student (their class's
 * teacher, a co-teacher of an exam they took, those teachers' observers, admins) and 404 for anyone else.
 */
let t: TestApp;
let s: Institution;
let forged: ForgedTokens;
let classId = '';
/** The student's attempt at their teacher's exam (scored 15 of 20), and at a second teacher's exam (scored 4). */
let mine = { attemptId: '', sessionId: '', examId: '' };
let theirs = { attemptId: '', sessionId: '', examId: '' };
let secondTeacher: Person;
let secondClass = '';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const get = (who: Person | undefined, url: string) => call(who, { method: 'GET', url });
const ok = async (who: Person | undefined, opts: InjectOptions, status = 200) => {
  const r = await call(who, opts);
  if (r.statusCode !== status) throw new Error(`${opts.method} ${opts.url} answered ${r.statusCode}: ${r.body}`);
  return r.body ? r.json() : undefined;
};
const detailOf = (studentId: string) => `/v1/students/${studentId}`;

async function newExam(teacher: Person, cls: string, title: string): Promise<string> {
  const body = {
    title,
    subject: 'History',
    kind: 'writing',
    maxScore: 20,
    passMark: 10,
    durationMinutes: 60,
    opensAt: iso(-HOUR),
    closesAt: iso(3 * HOUR),
    classIds: [cls],
  };
  return (await ok(teacher, { method: 'POST', url: '/v1/exams', payload: body }, 201)).id;
}
async function take(student: Person, examId: string, evs: VeritasEvent[]) {
  const started = await ok(student, { method: 'POST', url: `/v1/exams/${examId}/attempts` }, 201);
  const sessionId = started.session.id as string;
  for (const b of await chainBatches(sessionId, evs, 50, started.writeToken)) {
    const r = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${sessionId}/events`,
      headers: { authorization: `Bearer ${started.writeToken}` },
      payload: b,
    });
    if (r.statusCode !== 200) throw new Error(`ingest answered ${r.statusCode}: ${r.body}`);
  }
  await ok(student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` });
  return { attemptId: started.attempt.id as string, sessionId, examId };
}

beforeAll(async () => {
  t = await createTestApp({ jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 2 } });
  s = await buildInstitution(t.app);
  forged = await forgeTokens(t.app, s.teacher.user, s.teacher.token);
  const db = t.app.services.database.db;
  classId = (await db.selectFrom('classes').select('id').where('teacher_id', '=', s.teacher.user.id).executeTakeFirstOrThrow()).id;
  // A second teacher whose class the student leaves after taking the second teacher's exam.
  secondTeacher = await buildPerson(t.app, s.tenant, 'teacher');
  secondClass = `c-second-${Date.now()}`;
  await db.insertInto('classes').values({ id: secondClass, tenant_id: s.tenant.id, name: 'Second class', teacher_id: secondTeacher.user.id }).execute();
  await db.insertInto('class_members').values({ class_id: secondClass, user_id: s.student.user.id, tenant_id: s.tenant.id }).execute();
  mine = await take(s.student, await newExam(s.teacher, classId, 'Essay on the Nile'), simulate('genuine', 5, { paragraphs: 1 }).events);
  theirs = await take(s.student, await newExam(secondTeacher, secondClass, 'Second teacher’s quiz'), typingEvents('a short answer'));
  await db.deleteFrom('class_members').where('class_id', '=', secondClass).where('user_id', '=', s.student.user.id).execute();
  await until(
    async () => (await db.selectFrom('analyses').select('session_id').where('session_id', '=', mine.sessionId).executeTakeFirst()) !== undefined,
    'the analysis',
  );
  await ok(s.teacher, { method: 'PUT', url: `/v1/attempts/${mine.attemptId}/score`, payload: { score: 15 } });
  await ok(secondTeacher, { method: 'PUT', url: `/v1/attempts/${theirs.attemptId}/score`, payload: { score: 4 } });
}, 180_000);
afterAll(async () => t?.close());

describe(`a student's detail for their teachers (${TEST_DB})`, () => {
  it("shows their class's teacher the profile, classes, the attempts at the teacher's exams only, a summary and the momentum; audited", async () => {
    const d = await ok(s.teacher, { method: 'GET', url: detailOf(s.student.user.id) });
    expect(d.profile).toMatchObject({ id: s.student.user.id, email: s.student.user.email, displayName: s.student.user.display_name, status: 'active' });
    expect(d.classes).toEqual([{ id: classId, name: expect.any(String), teacherId: s.teacher.user.id, teacherName: s.teacher.user.display_name }]);
    // The second teacher's exam is not the caller's: it is not listed.
    expect(d.attempts.map((a: { id: string }) => a.id)).toEqual([mine.attemptId]);
    expect(d.attempts[0]).toMatchObject({
      examId: mine.examId,
      examTitle: 'Essay on the Nile',
      state: 'graded',
      sessionId: mine.sessionId,
      score: 15,
      maxScore: 20,
      passed: true,
      resultsReleased: false,
    });
    expect(['done', 'not-enough-data']).toContain(d.attempts[0].analysis);
    expect(d.summary).toMatchObject({ attempts: 1, graded: 1, passed: 1, averagePercent: 75 });
    // The momentum is the student's own, over both their finished attempts (not only the caller's exams').
    expect(d.momentum.attempts).toBe(2);
    expect(typeof d.momentum.reason).toBe('string');
    const audit = await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'user', resourceId: s.student.user.id, limit: 100 });
    expect(audit.map((e) => e.action)).toContain('student.detail.read');
  });

  it('shows an exam’s teacher the attempts at their exam even when the student is in none of their classes, and their observers the same', async () => {
    const d = await ok(secondTeacher, { method: 'GET', url: detailOf(s.student.user.id) });
    expect(d.attempts.map((a: { id: string }) => a.id)).toEqual([theirs.attemptId]);
    expect(d.attempts[0]).toMatchObject({ score: 4, passed: false });
    expect(d.summary).toMatchObject({ attempts: 1, graded: 1, passed: 0, averagePercent: 20 });
    // The observer attached to the class's teacher reads what that teacher reads.
    const seen = await ok(s.observer, { method: 'GET', url: detailOf(s.student.user.id) });
    expect(seen.attempts.map((a: { id: string }) => a.id)).toEqual([mine.attemptId]);
    // An admin reads every attempt of the tenant's exams.
    const all = await ok(s.admin, { method: 'GET', url: detailOf(s.student.user.id) });
    expect(all.attempts.map((a: { id: string }) => a.id).sort()).toEqual([mine.attemptId, theirs.attemptId].sort());
  });

  it('lets a co-teacher in once granted, and the observers attached to them', async () => {
    expect((await get(s.otherTeacher, detailOf(s.student.user.id))).statusCode).toBe(404);
    expect((await get(s.otherObserver, detailOf(s.student.user.id))).statusCode).toBe(404);
    await ok(s.teacher, { method: 'PUT', url: `/v1/exams/${mine.examId}/co-teachers/${s.otherTeacher.user.id}` }, 204);
    try {
      const d = await ok(s.otherTeacher, { method: 'GET', url: detailOf(s.student.user.id) });
      expect(d.attempts.map((a: { id: string }) => a.id)).toEqual([mine.attemptId]);
      expect((await get(s.otherObserver, detailOf(s.student.user.id))).statusCode).toBe(200);
    } finally {
      await ok(s.teacher, { method: 'DELETE', url: `/v1/exams/${mine.examId}/co-teachers/${s.otherTeacher.user.id}` }, 204);
    }
    expect((await get(s.otherTeacher, detailOf(s.student.user.id))).statusCode).toBe(404);
  });

  it('answers 404 for a student not taught, another tenant, an unknown id and a person who is no student; 403 for students; 400 and 401 for bad input', async () => {
    // The other teacher's own student: not the teacher's.
    expect((await get(s.teacher, detailOf(s.otherStudent.user.id))).statusCode).toBe(404);
    expect((await get(s.observer, detailOf(s.otherStudent.user.id))).statusCode).toBe(404);
    expect((await get(s.otherTeacher, detailOf(s.otherStudent.user.id))).statusCode).toBe(200);
    // Another institution's admin, on A's student; A's admin on B's person.
    expect((await get(s.stranger, detailOf(s.student.user.id))).statusCode).toBe(404);
    expect((await get(s.admin, detailOf(s.stranger.user.id))).statusCode).toBe(404);
    expect((await get(s.teacher, detailOf('unknown-student'))).statusCode).toBe(404);
    expect((await get(s.admin, detailOf(s.teacher.user.id))).statusCode).toBe(404);
    // A student reads no one's detail, not even their own (their own page is their dashboard).
    expect((await get(s.student, detailOf(s.student.user.id))).statusCode).toBe(403);
    expect((await get(s.otherStudent, detailOf(s.student.user.id))).statusCode).toBe(403);
    for (const bad of ['bad%20id', '%00', 'a'.repeat(65), "x'%20or%201=1"]) expect((await get(s.teacher, detailOf(bad))).statusCode, bad).toBe(400);
    expect((await get(undefined, detailOf(s.student.user.id))).statusCode).toBe(401);
    for (const token of [forged.otherKey, forged.algNone, forged.expired, forged.hs256PublicKey])
      expect((await t.app.inject({ method: 'GET', url: detailOf(s.student.user.id), headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
  });
});

describe(`a student's detail in a fixed number of queries (${TEST_DB})`, () => {
  it('reads four queries whether the student has no attempt or several', async () => {
    let n = 0;
    const counting: KyselyPlugin = {
      transformQuery: (a) => a.node,
      transformResult: async (a) => {
        n++;
        return a.result;
      },
    };
    const { database, audit } = t.app.services;
    const students = createStudentDetailService({ database: { ...database, db: database.db.withPlugin(counting) }, audit });
    const admin: UserActor = {
      kind: 'user',
      userId: s.admin.user.id,
      tenantId: tenantId(s.tenant.id),
      role: 'admin',
      via: 'password',
      scope: tenantScope(s.tenant.id),
    };
    const context = { ip: null, requestId: 'count' };
    for (const student of [s.otherStudent, s.student]) {
      n = 0;
      await students.detail(admin, student.user.id, context);
      expect(n, student.user.id).toBe(4);
    }
  });
});
