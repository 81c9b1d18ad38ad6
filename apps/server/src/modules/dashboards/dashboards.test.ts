import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import type { VeritasEvent } from '@veritas/schema';
import { simulate } from '@veritas/simulator';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, until, type Institution } from '../../testing/institution';
import { buildPerson, type Person } from '../../testing/people';
import { chainBatches, typingEvents } from '../../testing/batches';
import { forgeTokens, type ForgedTokens } from '../../testing/forged-tokens';
import type { KyselyPlugin } from 'kysely';
import type { UserActor } from '../../kernel/actor';
import { tenantId, tenantScope } from '../../kernel/scope';
import { createDashboardsService } from './dashboards.service';

/**
 * Dashboards (issue 12): a student's page (results only once released), a teacher's page (managed
 * exams, flags waiting, the triage queue by unreviewed risk), an exam's analytics (class statistics
 * and standings), its CSV (quoted, formula-safe) and an attempt's monitoring; who may read which.
 */
let t: TestApp;
let s: Institution;
/** A student of the teacher's class whose name would be a formula in a spreadsheet, and who pastes. */
let paster: Person;
let forged: ForgedTokens;
let examId = '';
let otherExamId = '';
/** The honest writer's attempt, the paster's, and an attempt not started (the other exam's). */
let honest = { attemptId: '', sessionId: '' };
let pasted = { attemptId: '', sessionId: '' };
let events = { honest: 0, pasted: 0 };
const PASTER_NAME = '=HYPERLINK("http://evil.test","Paste, Jane")';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const get = (who: Person | undefined, url: string) => call(who, { method: 'GET', url });
const ok = async (who: Person | undefined, opts: InjectOptions, status = 200) => {
  const r = await call(who, opts);
  if (r.statusCode !== status) throw new Error(`${opts.method} ${opts.url} answered ${r.statusCode}: ${r.body}`);
  return r.body ? r.json() : undefined;
};

async function newClass(teacher: Person, students: Person[]): Promise<string> {
  const id = `c-${randomBytes(6).toString('hex')}`;
  const db = t.app.services.database.db;
  await db
    .insertInto('classes')
    .values({ id, tenant_id: s.tenant.id, name: `Class ${id}`, teacher_id: teacher.user.id })
    .execute();
  for (const p of students) await db.insertInto('class_members').values({ class_id: id, user_id: p.user.id, tenant_id: s.tenant.id }).execute();
  return id;
}
async function newExam(teacher: Person, classId: string, title: string): Promise<string> {
  const body = {
    title,
    subject: 'English',
    kind: 'writing',
    maxScore: 20,
    passMark: 10,
    durationMinutes: 60,
    opensAt: iso(-HOUR),
    closesAt: iso(3 * HOUR),
    classIds: [classId],
  };
  return (await ok(teacher, { method: 'POST', url: '/v1/exams', payload: body }, 201)).id;
}
/** A student's attempt: started, these events recorded, submitted. */
async function take(student: Person, exam: string, evs: VeritasEvent[]) {
  const started = await ok(student, { method: 'POST', url: `/v1/exams/${exam}/attempts` }, 201);
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
  return { attemptId: started.attempt.id as string, sessionId };
}
const analysed = (sessionId: string) =>
  until(async () => {
    const row = await t.app.services.database.db.selectFrom('analyses').select('session_id').where('session_id', '=', sessionId).executeTakeFirst();
    return row !== undefined;
  }, `the analysis of ${sessionId}`);
const grade = (attemptId: string, score: number) => ok(s.teacher, { method: 'PUT', url: `/v1/attempts/${attemptId}/score`, payload: { score } });

beforeAll(async () => {
  t = await createTestApp({ jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 2 } });
  s = await buildInstitution(t.app);
  paster = await buildPerson(t.app, s.tenant, 'student', { display_name: PASTER_NAME });
  forged = await forgeTokens(t.app, s.teacher.user, s.teacher.token);
  const classA = await newClass(s.teacher, [s.student, paster]);
  examId = await newExam(s.teacher, classA, 'Essay on rivers');
  otherExamId = await newExam(s.otherTeacher, await newClass(s.otherTeacher, [s.otherStudent]), 'Another class’s essay');
  const typed = simulate('genuine', 1, { paragraphs: 1 }).events;
  const copied = simulate('paste', 1, { paragraphs: 2 }).events;
  events = { honest: typed.length, pasted: copied.length };
  honest = await take(s.student, examId, typed);
  pasted = await take(paster, examId, copied);
  await analysed(honest.sessionId);
  await analysed(pasted.sessionId);
  // The review consolidates the paster's flags from the analysis.
  await until(
    async () => (await t.app.services.database.db.selectFrom('review_flags').select('id').where('session_id', '=', pasted.sessionId).execute()).length > 0,
    'the paster’s review flags',
  );
  await grade(honest.attemptId, 15);
  await grade(pasted.attemptId, 5);
}, 180_000);
afterAll(async () => t?.close());

describe(`the student's dashboard (${TEST_DB})`, () => {
  it('shows the profile, the attempts with their analysis, and the result only once released', async () => {
    const before = await ok(s.student, { method: 'GET', url: '/v1/students/me/dashboard' });
    expect(before.profile).toMatchObject({ id: s.student.user.id, email: s.student.user.email });
    expect(before.attempts).toHaveLength(1);
    const a = before.attempts[0];
    expect(a).toMatchObject({ id: honest.attemptId, examId, examTitle: 'Essay on rivers', state: 'graded', sessionId: honest.sessionId, result: null });
    expect(['done', 'not-enough-data']).toContain(a.analysis);
    expect(before.summary).toEqual({ attempts: 1, released: 0, passed: 0, averagePercent: null });
    // One finished attempt: too little history for the momentum rules.
    expect(before.momentum).toMatchObject({ index: null, label: null, attempts: 1 });

    await ok(s.teacher, { method: 'PATCH', url: `/v1/exams/${examId}`, payload: { resultsReleased: true } });
    const after = await ok(s.student, { method: 'GET', url: '/v1/students/me/dashboard' });
    expect(after.attempts[0].result).toEqual({ score: 15, maxScore: 20, passMark: 10, passed: true });
    expect(after.summary).toEqual({ attempts: 1, released: 1, passed: 1, averagePercent: 75 });
    const theirs = await ok(paster, { method: 'GET', url: '/v1/students/me/dashboard' });
    expect(theirs.attempts[0].result).toMatchObject({ score: 5, passed: false });
    expect(theirs.summary).toEqual({ attempts: 1, released: 1, passed: 0, averagePercent: 25 });
    // The paste is flagged and waits for a person: counted for the student it is about, never for the other.
    expect(theirs.openFlags).toBeGreaterThan(0);
    expect(theirs.attempts[0].analysis).toBe('done');
    expect(theirs.attempts[0].risk).not.toBeNull();
    expect(after.openFlags).toBe(0);
    await ok(s.teacher, { method: 'PATCH', url: `/v1/exams/${examId}`, payload: { resultsReleased: false } });
    expect((await ok(s.student, { method: 'GET', url: '/v1/students/me/dashboard' })).attempts[0].result).toBeNull();
  });

  it('gives the momentum and dropout label once two attempts are finished: copy signs count until a reviewer dismisses them', async () => {
    const copier = await buildPerson(t.app, s.tenant, 'student');
    expect((await ok(copier, { method: 'GET', url: '/v1/students/me/dashboard' })).momentum).toMatchObject({ index: null, label: null, attempts: 0 });
    // Their own teacher, so the other tests' counts stay as they are.
    const mentor = await buildPerson(t.app, s.tenant, 'teacher');
    const classC = await newClass(mentor, [copier]);
    const taken = [];
    for (const seed of [3, 4]) {
      const exam = await newExam(mentor, classC, `Copied ${seed}`);
      taken.push(await take(copier, exam, simulate('paste', seed, { paragraphs: 2 }).events));
    }
    for (const a of taken) await analysed(a.sessionId);
    const db = t.app.services.database.db;
    const highs = async (sessionId: string) =>
      db.selectFrom('review_flags').select(['id', 'kind']).where('session_id', '=', sessionId).where('severity', '=', 'high').execute();
    for (const a of taken) await until(async () => (await highs(a.sessionId)).length > 0, 'a high flag');
    const d = await ok(copier, { method: 'GET', url: '/v1/students/me/dashboard' });
    expect(d.momentum).toMatchObject({ label: 'copy', attempts: 2 });
    expect(d.momentum.index).toBeGreaterThanOrEqual(0);
    expect(d.momentum.recommendations.length).toBeGreaterThan(0);
    // A reviewer dismisses the high flags of one attempt: one copy sign is left, under the rule's two.
    for (const f of await highs(taken[0]!.sessionId))
      await ok(mentor, { method: 'POST', url: `/v1/flags/${f.id}/decisions`, payload: { decision: 'dismiss' } });
    const after = await ok(copier, { method: 'GET', url: '/v1/students/me/dashboard' });
    expect(after.momentum.label).not.toBe('copy');
    expect(after.momentum.reason).toMatch(/last 2 attempts/);
  });

  it('is for students only', async () => {
    for (const who of [s.teacher, s.admin, s.observer]) expect((await get(who, '/v1/students/me/dashboard')).statusCode).toBe(403);
    expect((await get(undefined, '/v1/students/me/dashboard')).statusCode).toBe(401);
  });
});

describe(`the teacher's dashboard (${TEST_DB})`, () => {
  it('lists the exams managed with their counts, the flags waiting, and the triage queue by unreviewed risk', async () => {
    const d = await ok(s.teacher, { method: 'GET', url: '/v1/teachers/me/dashboard' });
    expect(d.exams.map((e: { id: string }) => e.id)).toEqual([examId]);
    expect(d.exams[0]).toMatchObject({ owned: true, attempts: { total: 2, inProgress: 0, finished: 2, graded: 2 } });
    expect(d.exams[0].pendingFlags).toBeGreaterThan(0);
    expect(d.pendingFlags).toBe(d.exams[0].pendingFlags);
    expect(d.triage.items.map((i: { attemptId: string }) => i.attemptId)).toEqual([pasted.attemptId, honest.attemptId]);
    expect(d.triage.items[0]).toMatchObject({ studentName: PASTER_NAME, pendingSeverity: expect.stringMatching(/low|medium|high/) });
    expect(d.triage.items[0].pendingFlags).toBeGreaterThan(0);
    expect(d.triage.items[1]).toMatchObject({ pendingFlags: 0, pendingSeverity: null });
    expect(d.triage.next).toBeNull();

    const first = await ok(s.teacher, { method: 'GET', url: '/v1/teachers/me/dashboard?limit=1' });
    expect(first.triage).toMatchObject({ offset: 0, next: 1, items: [{ attemptId: pasted.attemptId }] });
    const second = await ok(s.teacher, { method: 'GET', url: '/v1/teachers/me/dashboard?limit=1&offset=1' });
    expect(second.triage).toMatchObject({ offset: 1, next: null, items: [{ attemptId: honest.attemptId }] });
  });

  it('ranks an attempt down once its flags are decided', async () => {
    const exam = await newExam(s.otherTeacher, await newClass(s.otherTeacher, [s.student, paster]), 'Decided');
    const a = await take(s.student, exam, typingEvents('a short answer'));
    const b = await take(paster, exam, simulate('paste', 2, { paragraphs: 2 }).events);
    await analysed(b.sessionId);
    const db = t.app.services.database.db;
    await until(async () => (await db.selectFrom('review_flags').select('id').where('session_id', '=', b.sessionId).execute()).length > 0, 'flags');
    const before = await ok(s.otherTeacher, { method: 'GET', url: '/v1/teachers/me/dashboard' });
    expect(before.triage.items[0].attemptId).toBe(b.attemptId);
    for (const f of await db.selectFrom('review_flags').select('id').where('session_id', '=', b.sessionId).execute())
      await ok(s.otherTeacher, { method: 'POST', url: `/v1/flags/${f.id}/decisions`, payload: { decision: 'dismiss' } });
    const after = await ok(s.otherTeacher, { method: 'GET', url: '/v1/teachers/me/dashboard' });
    const ranked = after.triage.items.filter((i: { examId: string }) => i.examId === exam);
    expect(ranked.every((i: { pendingFlags: number }) => i.pendingFlags === 0)).toBe(true);
    expect(after.exams.find((e: { id: string }) => e.id === exam).pendingFlags).toBe(0);
    expect(ranked.map((i: { attemptId: string }) => i.attemptId).sort()).toEqual([a.attemptId, b.attemptId].sort());
  });

  it("shows another teacher's exam only once they co-teach it; refuses other roles and bad paging", async () => {
    const other = await ok(s.otherTeacher, { method: 'GET', url: '/v1/teachers/me/dashboard' });
    expect(other.exams.map((e: { id: string }) => e.id)).not.toContain(examId);
    expect(other.triage.items.map((i: { examId: string }) => i.examId)).not.toContain(examId);
    const co = await newExam(s.teacher, await newClass(s.teacher, []), 'Co-taught');
    await ok(s.teacher, { method: 'PUT', url: `/v1/exams/${co}/co-teachers/${s.otherTeacher.user.id}` }, 204);
    const now = await ok(s.otherTeacher, { method: 'GET', url: '/v1/teachers/me/dashboard' });
    expect(now.exams.find((e: { id: string }) => e.id === co)).toMatchObject({ owned: false });
    for (const who of [s.student, s.admin, s.observer]) expect((await get(who, '/v1/teachers/me/dashboard')).statusCode).toBe(403);
    for (const q of ['limit=0', 'limit=101', 'offset=-1', 'offset=abc', 'other=1'])
      expect((await get(s.teacher, `/v1/teachers/me/dashboard?${q}`)).statusCode, q).toBe(400);
  });
});

describe(`an exam's analytics and results (${TEST_DB})`, () => {
  it('summarises the class and places each attempt in its distributions', async () => {
    const r = await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics` });
    expect(r.summary).toMatchObject({ attempts: 2, students: 2, graded: 2, averageScore: 10, passRate: 0.5, flagged: 1 });
    expect(r.summary.pendingFlags).toBeGreaterThan(0);
    const risk = r.risk as Record<string, number>;
    expect(Object.values(risk).reduce((a, b) => a + b, 0)).toBe(2);
    expect(r.summary.highRisk).toBe(risk.high);
    const byId = Object.fromEntries(r.students.map((x: { attemptId: string }) => [x.attemptId, x]));
    expect(byId[pasted.attemptId]).toMatchObject({ name: PASTER_NAME, score: 5, passed: false, analysis: 'done' });
    expect(byId[honest.attemptId]).toMatchObject({ score: 15, passed: true, flags: 0 });
    // The paster's paste share is above the honest writer's: the higher of two values ranks 75, the lower 25.
    expect(byId[pasted.attemptId].standing.pasteShare.value).toBeGreaterThan(byId[honest.attemptId].standing.pasteShare.value);
    expect(byId[pasted.attemptId].standing.pasteShare.percentile).toBe(75);
    expect(byId[honest.attemptId].standing.pasteShare.percentile).toBe(25);
    expect(r.class.pasteShare).toMatchObject({ count: 2, max: byId[pasted.attemptId].standing.pasteShare.value });
    expect(r.class.writingTimeMs.count).toBe(2);
    const integrities = r.students.flatMap((x: { integrity: number | null }) => (x.integrity === null ? [] : [x.integrity]));
    expect(r.summary.averageIntegrity).toBeCloseTo(integrities.reduce((a: number, b: number) => a + b, 0) / integrities.length, 10);
    for (const m of ['writingTimeMs', 'pauses', 'revisions', 'pasteShare'])
      expect(
        r.class[m].bins.reduce((n: number, b: { count: number }) => n + b.count, 0),
        m,
      ).toBe(r.class[m].count);
    expect(r.page).toEqual({ total: 2, limit: 50, next: null });
    const audit = await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'exam', resourceId: examId, limit: 100 });
    expect(audit.map((e) => e.action)).toContain('exam.analytics.read');
  });

  it('pages the breakdown by name with a cursor, each page ranked against the whole class; refuses bad paging', async () => {
    const all = await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics` });
    const first = await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics?limit=1` });
    expect(first.students).toHaveLength(1);
    expect(first.page).toMatchObject({ total: 2, limit: 1, next: expect.any(String) });
    expect(first.summary).toEqual(all.summary);
    expect(first.class).toEqual(all.class);
    const second = await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics?limit=1&cursor=${encodeURIComponent(first.page.next)}` });
    expect(second.page).toMatchObject({ total: 2, next: null });
    // The two pages are the whole breakdown in its order, with the same ranks as in one page.
    expect([...first.students, ...second.students]).toEqual(all.students);
    for (const q of ['limit=0', 'limit=201', 'limit=x', 'cursor=', 'cursor=bm90LWEtY3Vyc29y', `cursor=${'a'.repeat(2049)}`, 'other=1'])
      expect((await get(s.teacher, `/v1/exams/${examId}/analytics?${q}`)).statusCode, q).toBe(400);
  });

  it('shows a change on the next read: the class figures kept between reads follow the exam version', async () => {
    const before = await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics` });
    expect(before.summary).toMatchObject({ averageScore: 10, passRate: 0.5 });
    // The same figures read again come from what the server kept; a re-grade must not be hidden by it.
    expect((await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics` })).summary).toEqual(before.summary);
    await grade(pasted.attemptId, 12);
    const after = await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics` });
    expect(after.summary).toMatchObject({ averageScore: 13.5, passRate: 1 });
    expect(after.students.find((x: { attemptId: string }) => x.attemptId === pasted.attemptId)).toMatchObject({ score: 12, passed: true });
    await grade(pasted.attemptId, 5);
    expect((await ok(s.teacher, { method: 'GET', url: `/v1/exams/${examId}/analytics` })).summary).toEqual(before.summary);
  });

  it('downloads the results as CSV, quoted and formula-safe', async () => {
    const r = await get(s.teacher, `/v1/exams/${examId}/results.csv`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.headers['content-disposition']).toBe(`attachment; filename="exam-${examId}-results.csv"`);
    const lines = r.body.split('\r\n');
    expect(lines[0]).toBe('student,email,state,score,max_score,passed,integrity,risk,flags,pending_flags');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const pasterLine = lines.find((l) => l.includes(paster.user.email))!;
    // The name starts with '=': quoted as a text cell, its quotes doubled, and never a formula.
    expect(pasterLine.startsWith(`"'=HYPERLINK(""http://evil.test"",""Paste, Jane"")",${paster.user.email},graded,5,20,false,`)).toBe(true);
    const honestLine = lines.find((l) => l.includes(s.student.user.email))!;
    expect(honestLine).toContain(',graded,15,20,true,');
    const audit = await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'exam', resourceId: examId, limit: 100 });
    expect(audit.map((e) => e.action)).toContain('exam.results.export');
  });

  it("answers 404 for another teacher's exam, another tenant's and an unknown one; 403 for students; 401 for a tampered token", async () => {
    for (const url of [`/v1/exams/${examId}/analytics`, `/v1/exams/${examId}/results.csv`]) {
      expect((await get(s.admin, url)).statusCode).toBe(200);
      expect((await get(s.otherTeacher, url)).statusCode).toBe(404);
      expect((await get(s.stranger, url)).statusCode).toBe(404);
      expect((await get(s.student, url)).statusCode).toBe(403);
      expect((await get(s.observer, url)).statusCode).toBe(403);
      expect((await get(s.teacher, url.replace(examId, 'unknown-exam'))).statusCode).toBe(404);
      expect((await get(s.teacher, url.replace(examId, 'bad%20id'))).statusCode).toBe(400);
      for (const token of [forged.otherKey, forged.algNone, forged.expired])
        expect((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    }
    expect((await get(s.otherTeacher, `/v1/exams/${otherExamId}/analytics`)).statusCode).toBe(200);
    expect((await get(s.teacher, `/v1/exams/${otherExamId}/analytics`)).statusCode).toBe(404);
  });
});

describe(`an attempt's monitoring (${TEST_DB})`, () => {
  it('summarises the events and alerts, lays out the anomalies in session time, and carries the analysis', async () => {
    const r = await ok(s.teacher, { method: 'GET', url: `/v1/attempts/${pasted.attemptId}/monitoring` });
    expect(r.attempt).toMatchObject({ id: pasted.attemptId, examId, studentId: paster.user.id, studentName: PASTER_NAME, sessionId: pasted.sessionId });
    expect(r.events.total).toBe(events.pasted);
    expect(Object.values(r.events.byType as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(events.pasted);
    const bySev = r.alerts.bySeverity as { low: number; medium: number; high: number };
    expect(bySev.low + bySev.medium + bySev.high).toBe(r.alerts.total);
    const flags = await t.app.services.database.db.selectFrom('review_flags').select(['id', 'kind']).where('session_id', '=', pasted.sessionId).execute();
    expect(r.timeline.map((f: { flagId: string }) => f.flagId).sort()).toEqual(flags.map((f) => f.id).sort());
    for (const f of r.timeline) {
      expect(f.times.length).toBeGreaterThan(0);
      for (const o of f.times) expect(o.tTo).toBeGreaterThanOrEqual(o.tFrom);
    }
    const firsts = r.timeline.map((f: { times: { tFrom: number }[] }) => f.times[0]!.tFrom);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(r.analysis.status).toBe('done');
    expect(r.analysis.result.format).toBe('veritas.analysis/v2');
    expect(r.analysis.result.flags.length).toBeGreaterThan(0);
    const audit = await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'attempt', resourceId: pasted.attemptId, limit: 100 });
    expect(audit.map((e) => e.action)).toContain('attempt.monitoring.read');
  });

  it('shows an attempt not started as nothing recorded yet', async () => {
    const exam = await newExam(s.teacher, await newClass(s.teacher, [s.otherStudent]), 'Not started');
    await ok(s.otherStudent, { method: 'POST', url: `/v1/exams/${exam}/attempts` }, 201);
    const row = await t.app.services.database.db.selectFrom('attempts').select(['id', 'session_id']).where('exam_id', '=', exam).executeTakeFirstOrThrow();
    const r = await ok(s.teacher, { method: 'GET', url: `/v1/attempts/${row.id}/monitoring` });
    // Started but nothing sent: the session is there, empty, its analysis waiting for the end.
    expect(r.events).toEqual({ total: 0, byType: {} });
    expect(r.timeline).toEqual([]);
    expect(r.analysis).toMatchObject({ status: 'pending', result: null });
  });

  it("answers 404 for another teacher's attempt, another tenant's and an unknown one; 403 for students and observers", async () => {
    const url = `/v1/attempts/${pasted.attemptId}/monitoring`;
    expect((await get(s.admin, url)).statusCode).toBe(200);
    expect((await get(s.otherTeacher, url)).statusCode).toBe(404);
    expect((await get(s.stranger, url)).statusCode).toBe(404);
    expect((await get(paster, url)).statusCode).toBe(403);
    expect((await get(s.observer, url)).statusCode).toBe(403);
    expect((await get(s.teacher, '/v1/attempts/unknown-attempt/monitoring')).statusCode).toBe(404);
    expect((await get(s.teacher, '/v1/attempts/%00/monitoring')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${forged.hs256PublicKey}` } })).statusCode).toBe(401);
  });
});

describe(`each page in a fixed number of queries (${TEST_DB})`, () => {
  it('reads no more queries for many attempts than for one (no query per attempt or exam)', async () => {
    let n = 0;
    // Counted as results come back: once per query executed (subqueries are part of their query).
    const counting: KyselyPlugin = {
      transformQuery: (a) => a.node,
      transformResult: async (a) => {
        n++;
        return a.result;
      },
    };
    const { database, audit, analysis } = t.app.services;
    const dashboards = createDashboardsService({ database: { ...database, db: database.db.withPlugin(counting) }, audit, analysis });
    const actorOf = (p: Person): UserActor => ({
      kind: 'user',
      userId: p.user.id,
      tenantId: tenantId(p.user.tenant_id),
      role: p.user.role,
      via: 'password',
      scope: tenantScope(p.user.tenant_id),
    });
    const queries = async (f: () => Promise<unknown>) => {
      n = 0;
      await f();
      return n;
    };
    const context = { ip: null, requestId: 'count' };
    const fresh = await buildPerson(t.app, s.tenant, 'student');
    // A student with no attempt and one with several; a teacher with one exam and one with several.
    // The student's page is one statement.
    expect(await queries(() => dashboards.student(actorOf(fresh)))).toBe(1);
    expect(await queries(() => dashboards.student(actorOf(s.student)))).toBe(1);
    const lone = await buildPerson(t.app, s.tenant, 'teacher');
    expect(await queries(() => dashboards.teacher(actorOf(lone), { limit: 20, offset: 0 }))).toBe(3);
    expect(await queries(() => dashboards.teacher(actorOf(s.teacher), { limit: 20, offset: 0 }))).toBe(3);
    // The exam, its figures, a page of its breakdown; the CSV: the exam and every row.
    // The exam, its version, its figures, its class order, the page's rows; read again at the same
    // version, the figures and order kept are used.
    expect(await queries(() => dashboards.examAnalytics(actorOf(s.teacher), examId, { limit: 50 }, context))).toBe(5);
    expect(await queries(() => dashboards.examAnalytics(actorOf(s.teacher), examId, { limit: 50 }, context))).toBe(3);
    expect(await queries(() => dashboards.examResults(actorOf(s.teacher), examId, context))).toBe(2);
    expect(await queries(() => dashboards.monitoring(actorOf(s.teacher), pasted.attemptId, context))).toBe(4);
  });
});
