import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { INGEST_PROTOCOL, genesisHash, macKeyFromToken, sealBatch } from '@veritas/schema';
import { openSocket } from '../../testing/socket-client';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import type { Person } from '../../testing/people';
import { typingEvents } from '../../testing/batches';
import { createAttemptsService } from './attempts.service';
import { createSessionCredentials } from '../sessions';
import { AppError } from '../../kernel/errors';

/**
 * Attempts (issue 12): start and resume with a working write token, submit, abandon, the deadline
 * (late batches refused as attempt-closed, the time-out job, nothing acknowledged touched), scores by
 * teachers and partners' keys, results released, partners' analyses; every move audited.
 */
let t: TestApp;
let s: Institution;
let classA: string;
let keys: { grade: string; analyses: string; read: string };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const withKey = (key: string, opts: InjectOptions) => t.app.inject({ ...opts, headers: { authorization: `Bearer ${key}` } });
function expectProblem(r: { statusCode: number; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode, JSON.stringify(r.json())).toBe(status);
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}

async function createExam(overrides: Record<string, unknown> = {}): Promise<string> {
  const r = await call(s.teacher, {
    method: 'POST',
    url: '/v1/exams',
    payload: {
      title: 'Essay on rivers',
      instructions: 'Write about a river.',
      kind: 'writing',
      maxScore: 20,
      passMark: 10,
      durationMinutes: 60,
      opensAt: iso(-3 * HOUR),
      closesAt: iso(3 * HOUR),
      classIds: [classA],
      analysis: { thresholds: { pauseMs: 3000 }, acceptHostSignals: false },
      accommodations: { assistiveTechnology: true },
      ...overrides,
    },
  });
  if (r.statusCode !== 201) throw new Error(`creating an exam answered ${r.statusCode}: ${r.body}`);
  return r.json().id;
}

interface Started {
  attempt: { id: string; state: string; sessionId: string; deadlineAt: string };
  writeToken: string;
  resumed: boolean;
  session: { id: string; ack: number };
}
async function start(examId: string, who: Person = s.student): Promise<Started> {
  const r = await call(who, { method: 'POST', url: `/v1/exams/${examId}/attempts` });
  if (r.statusCode !== 201 && r.statusCode !== 200) throw new Error(`starting answered ${r.statusCode}: ${r.body}`);
  return r.json();
}

/** A recorder's chain: sends events in batches with the token it holds, continuing from `prev`. */
async function send(sessionId: string, token: string, text: string, from: { seq: number; t: number; prev?: string }) {
  const prev = from.prev ?? (await genesisHash(sessionId));
  const batch = await sealBatch(typingEvents(text, from.seq, from.t), prev, await macKeyFromToken(token));
  const r = await t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/events`, headers: { authorization: `Bearer ${token}` }, payload: batch });
  return { r, batch };
}
const eventCount = async (sessionId: string) =>
  (
    await t.app.services.database.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('session_id', '=', sessionId)
      .executeTakeFirstOrThrow()
  ).n;
const attemptAudit = async (attemptId: string) =>
  (await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'attempt', resourceId: attemptId, limit: 100 })).map((r) => r.action).reverse();
/** The attempts service on the app's database with another clock: time moves without sleeping. */
const at = (offsetMs: number) => {
  const { database, audit, sessions, events } = t.app.services;
  return createAttemptsService({ database, audit, sessions, events, now: () => new Date(Date.now() + offsetMs) });
};
const context = { ip: null, requestId: 'test' };

beforeAll(async () => {
  t = await createTestApp();
  s = await buildInstitution(t.app);
  classA = (await t.app.services.database.db.selectFrom('classes').select('id').where('teacher_id', '=', s.teacher.user.id).executeTakeFirstOrThrow()).id;
  const key = async (scopes: string[]) =>
    (await call(s.admin, { method: 'POST', url: '/v1/admin/api-keys', payload: { name: 'partner', scopes } })).json().key as string;
  keys = { grade: await key(['attempts:grade']), analyses: await key(['analyses:write']), read: await key(['sessions:read']) };
}, 60_000);
afterAll(async () => t?.close());

describe('starting and resuming', () => {
  it('creates the session (the exam’s kind and settings, the student its owner) and hands back a token that writes', async () => {
    const examId = await createExam();
    const started = await start(examId);
    expect(started.resumed).toBe(false);
    expect(started.attempt.state).toBe('in_progress');
    expect(started.session.ack).toBe(-1);
    const session = await t.app.services.database.db.selectFrom('sessions').selectAll().where('id', '=', started.session.id).executeTakeFirstOrThrow();
    expect(session).toMatchObject({ tenant_id: s.tenant.id, owner_id: s.student.user.id, owner_kind: 'user', kind: 'writing', status: 'active' });
    expect(session.analysis_settings).toEqual({ thresholds: { pauseMs: 3000 }, acceptHostSignals: false, assistiveTechnology: true });
    expect(session.meta).toMatchObject({ title: 'Essay on rivers', prompt: 'Write about a river.' });
    expect(session.closes_at?.toISOString()).toBe(started.attempt.deadlineAt);
    const deadline = new Date(started.attempt.deadlineAt).getTime();
    expect(deadline).toBeGreaterThan(Date.now() + 59 * MINUTE);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 60 * MINUTE);
    const { r } = await send(started.session.id, started.writeToken, 'hello', { seq: 0, t: 0 });
    expect(r.json()).toMatchObject({ ack: 4 });
    // The teacher reads the session the attempt made (the grant follows the class).
    expect((await call(s.teacher, { method: 'GET', url: `/v1/sessions/${started.session.id}` })).statusCode).toBe(200);
  });

  it('resumes the same attempt and session after a reload: the new token continues the chain, the old one writes no more', async () => {
    const examId = await createExam();
    const first = await start(examId);
    const one = await send(first.session.id, first.writeToken, 'abc', { seq: 0, t: 0 });
    expect(one.r.statusCode).toBe(200);

    const again = await call(s.student, { method: 'POST', url: `/v1/exams/${examId}/attempts` });
    expect(again.statusCode).toBe(200);
    const resumed = again.json() as Started;
    expect(resumed.resumed).toBe(true);
    expect(resumed.attempt.id).toBe(first.attempt.id);
    expect(resumed.session.id).toBe(first.session.id);
    expect(resumed.session.ack).toBe(2);
    expect(resumed.writeToken).not.toBe(first.writeToken);

    const stale = await send(first.session.id, first.writeToken, 'def', { seq: 3, t: 1000, prev: one.batch.hash });
    expectProblem(stale.r, 401, 'invalid-token');
    const next = await send(first.session.id, resumed.writeToken, 'def', { seq: 3, t: 1000, prev: one.batch.hash });
    expect(next.r.json()).toMatchObject({ ack: 5 });
    expect(await attemptAudit(first.attempt.id)).toEqual(['attempt.start', 'attempt.resume']);
  });

  it('another instance that cached the old key takes the new token, and its stale writer of the old token is refused on the locked row', async () => {
    const started = await start(await createExam());
    const sid = started.session.id;
    const other = createSessionCredentials(t.app.services.database);
    const before = await other.actorFor(sid, started.writeToken);
    expect(before.kind).toBe('session-writer');
    const resumed = await start((await call(s.student, { method: 'GET', url: `/v1/attempts/${started.attempt.id}` })).json().examId);
    expect((await other.actorFor(sid, resumed.writeToken)).kind).toBe('session-writer');
    expect(await other.actorFor(sid, started.writeToken)).toMatchObject({ kind: 'anonymous', refused: 'invalid-token' });
    // A writer resolved before the rotation (its batch in flight) is refused when its group locks the session.
    const batch = await sealBatch(typingEvents('x', 0, 0), await genesisHash(sid), await macKeyFromToken(started.writeToken));
    const refused = await t.app.services.ingest.submit(before as never, batch).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('invalid-token');
    expect(await eventCount(sid)).toBe(0);
  });

  it('is for a student of the exam’s classes, inside its window', async () => {
    const examId = await createExam();
    expectProblem(await call(s.otherStudent, { method: 'POST', url: `/v1/exams/${examId}/attempts` }), 404, 'not-found');
    expectProblem(await call(s.teacher, { method: 'POST', url: `/v1/exams/${examId}/attempts` }), 403, 'forbidden');
    expectProblem(await call(s.stranger, { method: 'POST', url: `/v1/exams/${examId}/attempts` }), 403, 'forbidden');
    expectProblem(await withKey(keys.grade, { method: 'POST', url: `/v1/exams/${examId}/attempts` }), 403, 'forbidden');
    const closed = await createExam({ opensAt: iso(-3 * HOUR), closesAt: iso(-HOUR) });
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/exams/${closed}/attempts` }), 409, 'exam-not-open');
    // Not open yet: a student does not see it at all.
    const later = await createExam({ opensAt: iso(HOUR), closesAt: iso(3 * HOUR) });
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/exams/${later}/attempts` }), 404, 'not-found');
    expectProblem(await call(s.student, { method: 'POST', url: '/v1/exams/not%20an%20id/attempts' }), 400, 'invalid-request');
    // The deadline is the exam's close when that comes first.
    const closing = await createExam({ closesAt: iso(10 * MINUTE) });
    const started = await start(closing);
    expect(Math.abs(new Date(started.attempt.deadlineAt).getTime() - (Date.now() + 10 * MINUTE))).toBeLessThan(MINUTE);
  });
});

describe('submitting, abandoning, and late batches', () => {
  it('submit ends the session: a late batch is attempt-closed, a retried acknowledged one still a duplicate, nothing moves again', async () => {
    const examId = await createExam();
    const started = await start(examId);
    const sent = await send(started.session.id, started.writeToken, 'done', { seq: 0, t: 0 });
    expectProblem(await call(s.otherStudent, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` }), 404, 'not-found');
    expectProblem(await call(s.teacher, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` }), 403, 'forbidden');
    const submitted = await call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` });
    expect(submitted.json()).toMatchObject({ state: 'submitted', result: null });

    expectProblem((await send(started.session.id, started.writeToken, 'more', { seq: 4, t: 1000, prev: sent.batch.hash })).r, 409, 'attempt-closed');
    const retry = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${started.session.id}/events`,
      headers: { authorization: `Bearer ${started.writeToken}` },
      payload: sent.batch,
    });
    expect(retry.json()).toMatchObject({ ack: 3, duplicate: true });
    expect(await eventCount(started.session.id)).toBe(4);

    expectProblem(await call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` }), 409, 'attempt-transition');
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/abandon` }), 409, 'attempt-transition');
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/exams/${examId}/attempts` }), 409, 'attempt-closed');
    expect(await attemptAudit(started.attempt.id)).toEqual(['attempt.start', 'attempt.submit']);
  });

  it('abandon likewise', async () => {
    const started = await start(await createExam());
    expect((await call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/abandon` })).json().state).toBe('abandoned');
    expectProblem((await send(started.session.id, started.writeToken, 'x', { seq: 0, t: 0 })).r, 409, 'attempt-closed');
  });

  it('the WebSocket ingest refuses the batches of a submitted attempt alike', async () => {
    const started = await start(await createExam());
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const c = openSocket(`ws://127.0.0.1:${port}/v1/sessions/${started.session.id}/ingest`);
    expect(await c.opened).toBe('open');
    c.ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: started.writeToken }));
    expect(await c.next()).toMatchObject({ type: 'ready', ack: -1 });
    const key = await macKeyFromToken(started.writeToken);
    const first = await sealBatch(typingEvents('ab', 0, 0), await genesisHash(started.session.id), key);
    c.ws.send(JSON.stringify({ type: 'batch', batch: first }));
    expect(await c.next()).toMatchObject({ type: 'ack', ack: 1 });
    expect((await call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` })).statusCode).toBe(200);
    c.ws.send(JSON.stringify({ type: 'batch', batch: await sealBatch(typingEvents('cd', 2, 500), first.hash, key) }));
    expect(await c.next()).toMatchObject({ type: 'error', firstSeq: 2, problem: { type: 'urn:veritas:problem:attempt-closed', status: 409 } });
    c.ws.close();
    expect(await eventCount(started.session.id)).toBe(2);
  });

  it('two submits at once: one moves the attempt, the other is refused (the row lock)', async () => {
    const started = await start(await createExam());
    const both = await Promise.all([0, 1].map(() => call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/submit` })));
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect(await attemptAudit(started.attempt.id)).toEqual(['attempt.start', 'attempt.submit']);
  });
});

describe('the deadline', () => {
  it('times out an overdue attempt: what was acknowledged before stays, what comes after is attempt-closed', async () => {
    const examId = await createExam();
    // Started 50 minutes ago (deadline in 10 minutes, real time), through the service with its clock moved back.
    const early = await at(-50 * MINUTE).start({ actor: { ...studentActor() }, context }, examId);
    let prev: string | undefined;
    let seq = 0;
    for (const word of ['one ', 'two ', 'three']) {
      const { r, batch } = await send(early.session.id, early.writeToken, word, { seq, t: seq * 200, ...(prev ? { prev } : {}) });
      expect(r.statusCode).toBe(200);
      prev = batch.hash;
      seq += word.length;
    }
    expect(await at(0).timeOutOverdue()).toBe(0);
    // Eleven minutes later the job finds it overdue (with any other attempt of this file past its deadline by then).
    expect(await at(11 * MINUTE).timeOutOverdue()).toBeGreaterThanOrEqual(1);
    const read = (await call(s.teacher, { method: 'GET', url: `/v1/attempts/${early.attempt.id}` })).json();
    expect(read).toMatchObject({ state: 'timed_out', finishedAt: early.attempt.deadline_at!.toISOString() });
    expect(Number(await eventCount(early.session.id))).toBe(seq);
    expectProblem((await send(early.session.id, early.writeToken, 'late', { seq, t: 9000, prev: prev! })).r, 409, 'attempt-closed');
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/attempts/${early.attempt.id}/submit` }), 409, 'attempt-transition');
    expect(await at(11 * MINUTE).timeOutOverdue()).toBe(0);
    const entries = await t.app.services.audit.search({ tenantId: s.tenant.id, resourceType: 'attempt', resourceId: early.attempt.id, limit: 10 });
    expect(entries.find((e) => e.action === 'attempt.time-out')).toMatchObject({ actor_kind: 'anonymous', request_id: 'scheduler' });
  });

  it('refuses batches past the deadline before the job has run, and the student can no longer submit or resume', async () => {
    const examId = await createExam();
    // Started 61 minutes ago on a 60-minute exam: its deadline passed a minute ago.
    const late = await at(-61 * MINUTE).start({ actor: studentActor(), context }, examId);
    expectProblem((await send(late.session.id, late.writeToken, 'late', { seq: 0, t: 0 })).r, 409, 'attempt-closed');
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/attempts/${late.attempt.id}/submit` }), 409, 'attempt-closed');
    expectProblem(await call(s.student, { method: 'POST', url: `/v1/exams/${examId}/attempts` }), 409, 'attempt-closed');
    expect((await call(s.student, { method: 'GET', url: `/v1/attempts/${late.attempt.id}` })).json().state).toBe('in_progress');
    expect(await at(0).timeOutOverdue()).toBeGreaterThanOrEqual(1);
    expect((await call(s.student, { method: 'GET', url: `/v1/attempts/${late.attempt.id}` })).json().state).toBe('timed_out');
  });
});

describe('scores and results', () => {
  it('a teacher of the exam grades a closed attempt; the student sees the score only once results are released', async () => {
    const examId = await createExam();
    const started = await start(examId);
    const url = `/v1/attempts/${started.attempt.id}`;
    expectProblem(await call(s.teacher, { method: 'PUT', url: `${url}/score`, payload: { score: 15 } }), 409, 'attempt-transition');
    await call(s.student, { method: 'POST', url: `${url}/submit` });

    expectProblem(await call(s.otherTeacher, { method: 'PUT', url: `${url}/score`, payload: { score: 15 } }), 404, 'not-found');
    expectProblem(await call(s.student, { method: 'PUT', url: `${url}/score`, payload: { score: 20 } }), 403, 'forbidden');
    expectProblem(await call(s.admin, { method: 'PUT', url: `${url}/score`, payload: { score: 20 } }), 403, 'forbidden');
    expectProblem(await call(s.stranger, { method: 'PUT', url: `${url}/score`, payload: { score: 20 } }), 403, 'forbidden');
    expectProblem(await call(s.teacher, { method: 'PUT', url: `${url}/score`, payload: { score: 21 } }), 400, 'invalid-request');
    expectProblem(await call(s.teacher, { method: 'PUT', url: `${url}/score`, payload: { score: -1 } }), 400, 'invalid-request');

    const graded = await call(s.teacher, { method: 'PUT', url: `${url}/score`, payload: { score: 15, feedback: 'Clear and well argued.' } });
    expect(graded.json()).toMatchObject({
      state: 'graded',
      result: { score: 15, maxScore: 20, passed: true, feedback: 'Clear and well argued.', gradedBy: { kind: 'user', id: s.teacher.user.id } },
    });
    expect((await call(s.student, { method: 'GET', url })).json()).toMatchObject({ state: 'graded', result: null });
    const listed = (await call(s.student, { method: 'GET', url: `/v1/exams/${examId}/attempts` })).json().items;
    expect(listed).toEqual([expect.objectContaining({ id: started.attempt.id, result: null })]);

    expect(
      (await call(s.teacher, { method: 'PATCH', url: `/v1/exams/${examId}`, payload: { resultsReleased: true } })).json().resultsReleasedAt,
    ).not.toBeNull();
    expect((await call(s.student, { method: 'GET', url })).json().result).toMatchObject({ score: 15, passed: true });
    // Regrading corrects the score.
    expect((await call(s.teacher, { method: 'PUT', url: `${url}/score`, payload: { score: 8 } })).json().result).toMatchObject({ score: 8, passed: false });
    expect(await attemptAudit(started.attempt.id)).toEqual(['attempt.start', 'attempt.submit', 'attempt.grade', 'attempt.grade']);
    const grades = await t.app.services.audit.search({
      tenantId: s.tenant.id,
      resourceType: 'attempt',
      resourceId: started.attempt.id,
      action: 'attempt.grade',
      limit: 10,
    });
    expect(grades.map((g) => g.detail)).toEqual(expect.arrayContaining([expect.objectContaining({ score: 8, previousScore: 15 })]));
  });

  it('a partner’s key with attempts:grade grades; without it, refused', async () => {
    const started = await start(await createExam());
    await call(s.student, { method: 'POST', url: `/v1/attempts/${started.attempt.id}/abandon` });
    const url = `/v1/attempts/${started.attempt.id}/score`;
    expectProblem(await withKey(keys.read, { method: 'PUT', url, payload: { score: 3 } }), 403, 'insufficient-scope');
    const r = await withKey(keys.grade, { method: 'PUT', url, payload: { score: 3 } });
    expect(r.json()).toMatchObject({ state: 'graded', result: { score: 3, passed: false, gradedBy: { kind: 'api-key' } } });
    expect((await withKey(keys.grade, { method: 'GET', url: `/v1/attempts/${started.attempt.id}` })).statusCode).toBe(200);
  });
});

describe('partners’ analyses', () => {
  it('are stored apart, labelled with their source, shown with the attempt to its teachers, not to the student', async () => {
    const started = await start(await createExam());
    const url = `/v1/attempts/${started.attempt.id}/external-analyses`;
    const payload = { source: 'Acme Proctor', result: { risk: 'low', score: 0.12, details: { faces: 1 } } };
    expectProblem(await withKey(keys.grade, { method: 'POST', url, payload }), 403, 'insufficient-scope');
    expectProblem(await call(s.teacher, { method: 'POST', url, payload }), 403, 'forbidden');
    expectProblem(await withKey(keys.analyses, { method: 'POST', url, payload: { source: '', result: {} } }), 400, 'invalid-request');
    expectProblem(await withKey(keys.analyses, { method: 'POST', url: '/v1/attempts/unknown-attempt/external-analyses', payload }), 404, 'not-found');
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } };
    expectProblem(await withKey(keys.analyses, { method: 'POST', url, payload: { source: 'Deep', result: deep } }), 400, 'invalid-request');
    const posted = await withKey(keys.analyses, { method: 'POST', url, payload });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ source: 'Acme Proctor', result: payload.result });

    const asTeacher = (await call(s.teacher, { method: 'GET', url: `/v1/attempts/${started.attempt.id}` })).json();
    expect(asTeacher.externalAnalyses).toEqual([expect.objectContaining({ source: 'Acme Proctor', result: payload.result })]);
    expect((await call(s.student, { method: 'GET', url: `/v1/attempts/${started.attempt.id}` })).json().externalAnalyses).toBeUndefined();
    expect(await attemptAudit(started.attempt.id)).toEqual(['attempt.start', 'attempt.external-analysis.add']);
  });
});

describe('who reads an attempt', () => {
  it('its student, the exam’s teachers and the admin; nobody of another tenant or class', async () => {
    const started = await start(await createExam());
    const url = `/v1/attempts/${started.attempt.id}`;
    for (const who of [s.student, s.teacher, s.admin]) expect((await call(who, { method: 'GET', url })).statusCode).toBe(200);
    for (const who of [s.otherStudent, s.otherTeacher, s.stranger]) expectProblem(await call(who, { method: 'GET', url }), 404, 'not-found');
    expectProblem(await call(s.observer, { method: 'GET', url }), 403, 'forbidden');
    expectProblem(await call(undefined, { method: 'GET', url }), 401, 'unauthenticated');
  });
});

describe('every move from every state, through the routes and the job', () => {
  const STATES = ['not_started', 'in_progress', 'submitted', 'abandoned', 'timed_out', 'graded'] as const;
  // What each HTTP move answers from each state (start from in_progress is a resume; from a closed state, attempt-closed).
  const WANT: Record<string, Record<(typeof STATES)[number], [number, string]>> = {
    start: {
      not_started: [201, 'in_progress'],
      in_progress: [200, 'in_progress'],
      submitted: [409, 'attempt-closed'],
      abandoned: [409, 'attempt-closed'],
      timed_out: [409, 'attempt-closed'],
      graded: [409, 'attempt-closed'],
    },
    submit: {
      not_started: [409, 'attempt-transition'],
      in_progress: [200, 'submitted'],
      submitted: [409, 'attempt-transition'],
      abandoned: [409, 'attempt-transition'],
      timed_out: [409, 'attempt-transition'],
      graded: [409, 'attempt-transition'],
    },
    abandon: {
      not_started: [409, 'attempt-transition'],
      in_progress: [200, 'abandoned'],
      submitted: [409, 'attempt-transition'],
      abandoned: [409, 'attempt-transition'],
      timed_out: [409, 'attempt-transition'],
      graded: [409, 'attempt-transition'],
    },
    grade: {
      not_started: [409, 'attempt-transition'],
      in_progress: [409, 'attempt-transition'],
      submitted: [200, 'graded'],
      abandoned: [200, 'graded'],
      timed_out: [200, 'graded'],
      graded: [200, 'graded'],
    },
  };

  /** An attempt of the student's put in `state` (its session kept; a not-started one has none yet). */
  async function attemptIn(state: (typeof STATES)[number]): Promise<{ examId: string; attemptId: string }> {
    const examId = await createExam();
    const started = await start(examId);
    const db = t.app.services.database.db;
    await db
      .updateTable('attempts')
      .set(state === 'not_started' ? { state, session_id: null, started_at: null, deadline_at: null } : { state })
      .where('id', '=', started.attempt.id)
      .execute();
    return { examId, attemptId: started.attempt.id };
  }
  const stateOf = async (attemptId: string) =>
    (await t.app.services.database.db.selectFrom('attempts').select('state').where('id', '=', attemptId).executeTakeFirstOrThrow()).state;

  const cells = Object.keys(WANT).flatMap((move) => STATES.map((from) => [move, from] as const));
  it.each(cells)('%s from %s', async (move, from) => {
    const { examId, attemptId } = await attemptIn(from);
    const r =
      move === 'start'
        ? await call(s.student, { method: 'POST', url: `/v1/exams/${examId}/attempts` })
        : move === 'grade'
          ? await call(s.teacher, { method: 'PUT', url: `/v1/attempts/${attemptId}/score`, payload: { score: 12 } })
          : await call(s.student, { method: 'POST', url: `/v1/attempts/${attemptId}/${move}` });
    const [status, outcome] = WANT[move]![from];
    expect(r.statusCode, r.body).toBe(status);
    if (status < 400) expect(await stateOf(attemptId)).toBe(outcome);
    else {
      expect(r.json().type).toBe(`urn:veritas:problem:${outcome}`);
      expect(await stateOf(attemptId)).toBe(from);
    }
  });

  it.each(STATES)('time-out from %s', async (from) => {
    const { attemptId } = await attemptIn(from);
    await at(2 * HOUR).timeOutOverdue();
    expect(await stateOf(attemptId)).toBe(from === 'in_progress' ? 'timed_out' : from);
  });

  it('two starts at once: one attempt, one session, both answered', async () => {
    const examId = await createExam();
    const both = await Promise.all([0, 1].map(() => call(s.student, { method: 'POST', url: `/v1/exams/${examId}/attempts` })));
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 201]);
    const [a, b] = both.map((r) => r.json() as Started);
    expect(a!.attempt.id).toBe(b!.attempt.id);
    expect(a!.session.id).toBe(b!.session.id);
    const sessions = await t.app.services.database.db.selectFrom('sessions').select('id').where('owner_id', '=', s.student.user.id).execute();
    expect(sessions.filter((x) => x.id === a!.session.id)).toHaveLength(1);
    // The resume came second under the lock: its token is the one that writes.
    const [created, resumed] = [a, b].sort((x, y) => Number(x!.resumed) - Number(y!.resumed)) as [Started, Started];
    expectProblem((await send(created.session.id, created.writeToken, 'x', { seq: 0, t: 0 })).r, 401, 'invalid-token');
    expect((await send(resumed.session.id, resumed.writeToken, 'x', { seq: 0, t: 0 })).r.json()).toMatchObject({ ack: 0 });
  });
});

function studentActor() {
  return {
    kind: 'user' as const,
    userId: s.student.user.id,
    tenantId: s.tenant.id as never,
    role: 'student' as const,
    via: 'password' as const,
    scope: { tenantId: s.tenant.id as never },
  };
}
