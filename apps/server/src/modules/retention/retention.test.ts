import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, recordAs, until, type Institution, type Recorded } from '../../testing/institution';
import { classOf, createExam, startAttempt } from '../../testing/exam-live';
import { typingEvents } from '../../testing/batches';
import { linkedAudit } from '../../testing/linked-audit';

const DAY = 86_400_000;
let t: TestApp;
let school: Institution;

beforeAll(async () => {
  t = await createTestApp({ jobs: { driver: 'embedded', pollIntervalMs: 20, concurrency: 1 } });
  school = await buildInstitution(t.app);
});
afterAll(async () => t?.close());

const db = () => t.app.services.database.db;

/** Moves a session's end into the past: what the sweep reads is the end time. */
async function endedDaysAgo(sessionId: string, days: number, now: Date) {
  await db()
    .updateTable('sessions')
    .set({ ended_at: new Date(now.getTime() - days * DAY) })
    .where('id', '=', sessionId)
    .execute();
}

/** What a session has left: its raw rows and whether its analysis is stored. */
async function held(sessionId: string) {
  const count = async (table: 'events' | 'batches' | 'share_links') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((e) => e.fn.countAll().as('n'))
          .where('session_id', '=', sessionId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const analysis = await db().selectFrom('analyses').select('session_id').where('session_id', '=', sessionId).executeTakeFirst();
  return { events: await count('events'), batches: await count('batches'), shareLinks: await count('share_links'), analysis: analysis !== undefined };
}

const analysed = (s: Recorded) =>
  until(
    async () => (await db().selectFrom('analyses').select('session_id').where('session_id', '=', s.id).executeTakeFirst()) !== undefined,
    `analysis of ${s.id}`,
  );

const admin = () => school.admin.headers;

describe('retention', () => {
  it('purges exactly the expired, unheld data, leaves tombstones and audit entries, and lists the same in a dry run', async () => {
    const now = new Date();
    const policy = await t.app.inject({ method: 'PUT', url: '/v1/admin/retention', headers: admin(), payload: { rawDays: 30, analysisDays: 60 } });
    expect(policy.statusCode, policy.body).toBe(200);
    expect(policy.json()).toMatchObject({ rawDays: 30, analysisDays: 60 });

    const student = school.student;
    const rawOnly = await recordAs(t.app, student); // ended 40 days ago: raw goes, analysis stays
    const both = await recordAs(t.app, student); // 70 days: both go
    const heldSession = await recordAs(t.app, student); // 70 days, but held
    const recent = await recordAs(t.app, student); // 10 days: stays
    const open = await recordAs(t.app, student, { end: false }); // still recording: stays
    const heldPerson = await recordAs(t.app, school.otherStudent); // 70 days, its student held
    const otherTenant = await recordAs(t.app, undefined); // public (no tenant, no policy): stays
    // An attempt's session, held through the attempt.
    const teacher = school.teacher;
    await classOf(t.app, teacher);
    const examId = await createExam(t.app, teacher);
    const attempt = await startAttempt(t.app, examId, student);
    await attempt.send(
      t.app,
      typingEvents('an answer').map(({ seq: _seq, ...e }) => e),
    );
    const submit = await t.app.inject({ method: 'POST', url: `/v1/attempts/${attempt.attemptId}/submit`, headers: student.headers });
    expect(submit.statusCode, submit.body).toBeLessThan(300);

    for (const s of [rawOnly, both, heldSession, recent, heldPerson, otherTenant]) await analysed(s);
    await until(
      async () => (await db().selectFrom('analyses').select('session_id').where('session_id', '=', attempt.sessionId).executeTakeFirst()) !== undefined,
      'attempt analysis',
    );
    const share = await t.app.inject({ method: 'POST', url: `/v1/sessions/${rawOnly.id}/share-links`, headers: student.headers, payload: {} });
    expect(share.statusCode, share.body).toBe(201);

    await endedDaysAgo(rawOnly.id, 40, now);
    for (const id of [both.id, heldSession.id, heldPerson.id, otherTenant.id, attempt.sessionId]) await endedDaysAgo(id, 70, now);
    await endedDaysAgo(recent.id, 10, now);

    const hold = async (subjectKind: string, subjectId: string) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/admin/legal-holds',
        headers: admin(),
        payload: { subjectKind, subjectId, reason: 'appeal pending' },
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const sessionHold = await hold('session', heldSession.id);
    await hold('person', school.otherStudent.user.id);
    await hold('attempt', attempt.attemptId);

    const before = new Map<string, Awaited<ReturnType<typeof held>>>();
    for (const s of [rawOnly.id, both.id, heldSession.id, recent.id, open.id, heldPerson.id, otherTenant.id, attempt.sessionId]) before.set(s, await held(s));
    expect(before.get(rawOnly.id)).toMatchObject({ shareLinks: 1, analysis: true });

    const dry = await t.app.services.retention.sweep({ now, dryRun: true });
    const planned = dry.items.filter((i) => i.tenantId === school.tenant.id).map((i) => `${i.what} ${i.sessionId}`);
    expect(planned.sort()).toEqual([`analysis ${both.id}`, `raw ${both.id}`, `raw ${rawOnly.id}`].sort());
    expect(dry.rowsDeleted).toBe(0);
    for (const [id, was] of before) expect(await held(id), `dry run kept ${id}`).toEqual(was);

    const run = await t.app.services.retention.sweep({ now });
    expect(
      run.items
        .filter((i) => i.tenantId === school.tenant.id)
        .map((i) => `${i.what} ${i.sessionId}`)
        .sort(),
    ).toEqual(planned.sort());
    expect(await held(rawOnly.id)).toEqual({ events: 0, batches: 0, shareLinks: 0, analysis: true });
    expect(await held(both.id)).toEqual({ events: 0, batches: 0, shareLinks: 0, analysis: false });
    for (const id of [heldSession.id, recent.id, open.id, heldPerson.id, otherTenant.id, attempt.sessionId])
      expect(await held(id), `kept ${id}`).toEqual(before.get(id));

    const tombstones = await db().selectFrom('retention_tombstones').selectAll().where('tenant_id', '=', school.tenant.id).execute();
    expect(tombstones.map((x) => `${x.what} ${x.session_id}`).sort()).toEqual(planned.sort());
    expect(tombstones.find((x) => x.what === 'raw' && x.session_id === rawOnly.id)).toMatchObject({
      rows: before.get(rawOnly.id)!.events + before.get(rawOnly.id)!.batches + 1,
      policy_days: 30,
    });
    const audit = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', school.tenant.id)
      .where('action', '=', 'retention.purge')
      .execute();
    expect(audit).toHaveLength(3);

    // A second sweep finds nothing more; lifting the hold lets the held session go on the next one.
    expect((await t.app.services.retention.sweep({ now })).items.filter((i) => i.tenantId === school.tenant.id)).toEqual([]);
    const lift = await t.app.inject({ method: 'POST', url: `/v1/admin/legal-holds/${sessionHold}/lift`, headers: admin() });
    expect(lift.statusCode, lift.body).toBe(200);
    expect(lift.json().liftedAt).not.toBeNull();
    const after = await t.app.services.retention.sweep({ now });
    expect(after.items.map((i) => `${i.what} ${i.sessionId}`).sort()).toEqual([`analysis ${heldSession.id}`, `raw ${heldSession.id}`].sort());
    expect(await held(heldSession.id)).toEqual({ events: 0, batches: 0, shareLinks: 0, analysis: false });
    for (const action of ['retention.policy.set', 'legal-hold.place', 'legal-hold.lift']) {
      expect(
        await (
          await linkedAudit(t.app.services)
        )
          .selectFrom('audit_log')
          .select('id')
          .where('tenant_id', '=', school.tenant.id)
          .where('action', '=', action)
          .executeTakeFirst(),
        action,
      ).toBeDefined();
    }
  }, 240_000);

  it('lets only admins of the institution manage the policy and holds', async () => {
    for (const who of [school.teacher, school.student, school.observer]) {
      expect(
        (await t.app.inject({ method: 'PUT', url: '/v1/admin/retention', headers: who.headers, payload: { rawDays: 1, analysisDays: 1 } })).statusCode,
      ).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/v1/admin/legal-holds', headers: who.headers })).statusCode).toBe(403);
    }
    // Another institution's admin cannot hold this one's session: it does not exist for them.
    const s = await recordAs(t.app, school.student);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/legal-holds',
      headers: school.stranger.headers,
      payload: { subjectKind: 'session', subjectId: s.id, reason: 'not mine' },
    });
    expect(r.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'PUT', url: '/v1/admin/retention', headers: admin(), payload: { rawDays: 0, analysisDays: null } })).statusCode).toBe(
      400,
    );
    expect((await t.app.inject({ method: 'PUT', url: '/v1/admin/retention', headers: admin(), payload: { rawDays: 5 } })).statusCode).toBe(400);
  }, 120_000);
});

describe('erasure of a person', () => {
  it('deletes what is about them and keeps only their id, refused while a hold covers them', async () => {
    const school2 = await buildInstitution(t.app);
    const student = school2.student;
    const own = await recordAs(t.app, student);
    await classOf(t.app, school2.teacher);
    const examId = await createExam(t.app, school2.teacher);
    const attempt = await startAttempt(t.app, examId, student);
    const kept = await recordAs(t.app, school2.otherStudent);
    const erase = () => t.app.inject({ method: 'POST', url: `/v1/admin/users/${student.user.id}/erasure`, headers: school2.admin.headers });

    const hold = await t.app.inject({
      method: 'POST',
      url: '/v1/admin/legal-holds',
      headers: school2.admin.headers,
      payload: { subjectKind: 'attempt', subjectId: attempt.attemptId, reason: 'appeal pending' },
    });
    expect(hold.statusCode).toBe(201);
    const refused = await erase();
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toBe('urn:veritas:problem:legal-hold');
    expect(await held(own.id)).toMatchObject({ events: expect.any(Number) });
    expect((await db().selectFrom('sessions').select('id').where('id', '=', own.id).executeTakeFirst())?.id).toBe(own.id);

    expect((await t.app.inject({ method: 'POST', url: `/v1/admin/legal-holds/${hold.json().id}/lift`, headers: school2.admin.headers })).statusCode).toBe(200);
    const done = await erase();
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toEqual({ userId: student.user.id, sessions: 2, attempts: 1, memberships: 1 });
    for (const id of [own.id, attempt.sessionId]) {
      expect(await db().selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
      expect(await held(id)).toEqual({ events: 0, batches: 0, shareLinks: 0, analysis: false });
    }
    expect(await db().selectFrom('attempts').select('id').where('student_id', '=', student.user.id).execute()).toEqual([]);
    const user = await db().selectFrom('users').selectAll().where('id', '=', student.user.id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({
      display_name: 'Erased person',
      email: `erased-${student.user.id}@erased.invalid`,
      enrollment_id: null,
      password_hash: null,
      status: 'disabled',
    });
    expect((await db().selectFrom('sessions').select('id').where('id', '=', kept.id).executeTakeFirst())?.id).toBe(kept.id);
    // Their old token no longer works; the erasure is audited.
    expect((await t.app.inject({ url: '/v1/me', headers: student.headers })).statusCode).toBe(401);
    const entry = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', school2.tenant.id)
      .where('action', '=', 'person.erase')
      .executeTakeFirst();
    expect(entry?.resource_id).toBe(student.user.id);
  }, 240_000);

  it('refuses to erase a teacher who still teaches, and anyone of another institution', async () => {
    const school3 = await buildInstitution(t.app);
    await classOf(t.app, school3.teacher);
    const teacher = await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school3.teacher.user.id}/erasure`, headers: school3.admin.headers });
    expect(teacher.statusCode).toBe(409);
    expect(teacher.json().type).toBe('urn:veritas:problem:person-owns-resources');
    const stranger = await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school3.student.user.id}/erasure`, headers: school3.stranger.headers });
    expect(stranger.statusCode).toBe(404);
    const byTeacher = await t.app.inject({ method: 'POST', url: `/v1/admin/users/${school3.student.user.id}/erasure`, headers: school3.teacher.headers });
    expect(byTeacher.statusCode).toBe(403);
  }, 120_000);
});
