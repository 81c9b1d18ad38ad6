import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { openSse, type SseClient } from '../../testing/sse-client';
import { baseOf } from '../../testing/live';
import { createExam, examTicket, openAlerts, startAttempt, typed, type AlertsClient, type Writer } from '../../testing/exam-live';
import type { LiveAlert, StudentsMessage } from './exam-live.schemas';
import { linkedAudit } from '../../testing/linked-audit';

/**
 * An exam's live supervision (issue 13, ADR 0019): the exam view (SSE) with each student's presence,
 * typing speed, pastes, time away, host signals and open alerts; critical alerts over a socket,
 * acknowledged by a teacher and shown to the others, re-sent until acknowledged; and access that
 * closes what a person no longer may watch.
 */
let t: TestApp;
let base: string;
let school: Institution;
const streams: SseClient[] = [];
const sockets: AlertsClient[] = [];

const studentsOf = (c: SseClient): StudentsMessage[] => c.messages.filter((m) => m.event === 'students').map((m) => JSON.parse(m.data) as StudentsMessage);
const lastState = (c: SseClient, attemptId: string) =>
  studentsOf(c)
    .at(-1)
    ?.students.find((s) => s.attemptId === attemptId);
const view = async (url: string) => {
  const c = await openSse(`${base}${url}`);
  streams.push(c);
  return c;
};
const alertsSocket = (url: string, origin: string | undefined = base) => {
  const c = openAlerts(`${base.replace('http', 'ws')}${url}`, origin);
  sockets.push(c);
  return c;
};
const alertsOf = (c: AlertsClient) => c.received.filter((m) => m.type === 'alert').map((m) => m.alert as LiveAlert);
const pace = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

beforeAll(async () => {
  t = await createTestApp({ live: { heartbeatMs: 600_000, recheckMs: 250, maxBufferedBytes: 1024 * 1024 } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = baseOf(t.app);
  school = await buildInstitution(t.app);
});
afterAll(async () => {
  for (const c of streams) c.close();
  for (const s of sockets) s.ws.terminate();
  await t?.close();
});

describe('the exam view (SSE)', () => {
  let examId: string;
  let w: Writer;
  beforeAll(async () => {
    examId = await createExam(t.app, school.teacher);
    w = await startAttempt(t.app, examId, school.student);
  });

  it('shows each student: presence, typing speed, pastes, time away, seeded from the database for the first viewer', async () => {
    // Written before anyone watches: the first viewer's room reads it from the database.
    await w.send(t.app, [
      ...typed('hello', 0),
      { t: 600, type: 'text.op', data: { pos: 5, del: 0, ins: ' pasted words', cause: 'paste' } },
      { t: 700, type: 'visibility', data: { state: 'hidden' } },
      { t: 2700, type: 'visibility', data: { state: 'visible' } },
    ]);
    const { url } = await examTicket(t.app, school.teacher, examId, 'exam-live');
    expect(url).toMatch(new RegExp(`^/v1/exams/${examId}/live\\?ticket=[\\w-]{43}$`));
    const c = await view(url);
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toContain('text/event-stream');
    await c.until((x) => lastState(x, w.attemptId)?.pastes === 1, 'the seeded student');
    expect(lastState(c, w.attemptId)).toMatchObject({
      sessionId: w.sessionId,
      studentId: school.student.user.id,
      studentName: school.student.user.display_name,
      attemptState: 'in_progress',
      charsPerMinute: 5,
      pastes: 1,
      awayMs: 2000,
      host: null,
      openAlerts: 0,
    });
    expect(['online', 'idle']).toContain(lastState(c, w.attemptId)!.presence);
    // Live: what the student writes next, through the hub.
    await w.send(t.app, typed('abc', 3000, 18));
    await c.until((x) => lastState(x, w.attemptId)?.charsPerMinute === 8, 'the typing sent live');
    expect(lastState(c, w.attemptId)!.presence).toBe('online');
    await w.send(t.app, [{ t: 3500, type: 'visibility', data: { state: 'hidden' } }]);
    await c.until((x) => lastState(x, w.attemptId)?.presence === 'idle', 'the page hidden');
  });

  it('shows a host page’s metrics sent every 2 s within a second, as the host labels them', async () => {
    const { url } = await examTicket(t.app, school.teacher, examId, 'exam-live');
    const c = await view(url);
    await c.until((x) => lastState(x, w.attemptId) !== undefined, 'the student');
    // How many view messages it took each change to show: the first or the second after its commit,
    // however busy the machine (the time it takes is a benchmark's question, not a test's).
    const messagesToShow: number[] = [];
    let next = Date.now();
    for (let i = 1; i <= 4; i++) {
      await pace(next - Date.now());
      next = Date.now() + 2000;
      const confusion = i / 10;
      await w.send(t.app, [{ t: 4000 + i * 2000, type: 'metrics', data: { values: { confusion, engagement: 0.7, faces: 1 }, source: 'webcam' } }]);
      const before = studentsOf(c).length;
      await c.until((x) => lastState(x, w.attemptId)?.host?.confusion === confusion, `metrics ${i}`);
      messagesToShow.push(studentsOf(c).length - before);
    }
    expect(Math.max(...messagesToShow), `messages ${messagesToShow.join(', ')}`).toBeLessThanOrEqual(2);
    expect(lastState(c, w.attemptId)!.host).toEqual({
      confusion: 0.4,
      engagement: 0.7,
      source: 'webcam',
      labels: { confusion: 0.4, engagement: 0.7, faces: 1 },
    });
    // Every second at least, even when nothing changes.
    const count = studentsOf(c).length;
    await c.until((x) => studentsOf(x).length >= count + 2, 'two more ticks');
  });

  it('never shows host signals of an exam that refuses them', async () => {
    const refusing = await createExam(t.app, school.teacher, { analysis: { acceptHostSignals: false } });
    const r = await startAttempt(t.app, refusing, school.student);
    await r.send(t.app, [...typed('hi', 0), { t: 300, type: 'metrics', data: { values: { confusion: 0.9 } } }]);
    const c = await view((await examTicket(t.app, school.teacher, refusing, 'exam-live')).url);
    await c.until((x) => lastState(x, r.attemptId)?.charsPerMinute === 2, 'the student');
    expect(lastState(c, r.attemptId)!.host).toBeNull();
  });
});

describe('critical alerts (WebSocket)', () => {
  let examId: string;
  let w: Writer;
  beforeAll(async () => {
    examId = await createExam(t.app, school.teacher);
    const r = await t.app.inject({ method: 'PUT', url: `/v1/exams/${examId}/co-teachers/${school.otherTeacher.user.id}`, headers: school.teacher.headers });
    expect(r.statusCode).toBe(204);
    w = await startAttempt(t.app, examId, school.student);
    await w.send(t.app, typed('start', 0));
  });

  it('reach every teacher as they are raised; an acknowledgement is stored, audited and shown to the others; unacknowledged ones are re-sent on reconnection', async () => {
    const teacher = alertsSocket((await examTicket(t.app, school.teacher, examId, 'alerts')).url);
    const coTeacher = alertsSocket((await examTicket(t.app, school.otherTeacher, examId, 'alerts')).url);
    const observer = alertsSocket((await examTicket(t.app, school.observer, examId, 'alerts')).url);
    expect(await teacher.opened).toBe('open');
    expect(await coTeacher.opened).toBe('open');
    expect(await observer.opened).toBe('open');
    const viewer = await view((await examTicket(t.app, school.teacher, examId, 'exam-live')).url);

    await w.send(t.app, [{ t: 1000, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.9 } }]);
    // Pushed as it is raised (no periodic message carries alerts): every teacher's socket gets it.
    for (const s of [teacher, coTeacher, observer]) await s.until((r) => alertsOf({ received: r } as AlertsClient).length === 1, 'the alert');
    const [alert] = alertsOf(teacher);
    expect(alert).toMatchObject({
      examId,
      attemptId: w.attemptId,
      sessionId: w.sessionId,
      studentName: school.student.user.display_name,
      kind: 'several-faces',
      severity: 'medium',
      acknowledged: null,
    });
    await viewer.until((x) => lastState(x, w.attemptId)?.openAlerts === 1, 'the open alert in the view');

    // An observer watches but does not acknowledge.
    observer.send({ type: 'ack', alertId: alert!.id });
    await observer.until((r) => r.some((m) => m.type === 'problem'), 'the refusal');
    expect(observer.received.find((m) => m.type === 'problem')).toMatchObject({ problem: { type: 'urn:veritas:problem:forbidden', status: 403 } });

    coTeacher.send({ type: 'ack', alertId: alert!.id });
    const by = { id: school.otherTeacher.user.id, name: school.otherTeacher.user.display_name };
    for (const s of [teacher, coTeacher, observer]) await s.until((r) => r.some((m) => m.type === 'acknowledged'), 'the acknowledgement');
    for (const s of [teacher, coTeacher, observer]) expect(s.received.find((m) => m.type === 'acknowledged')).toMatchObject({ alertId: alert!.id, by });
    await viewer.until((x) => lastState(x, w.attemptId)?.openAlerts === 0, 'no open alert in the view');
    const db = t.app.services.database.db;
    expect(await db.selectFrom('alert_acknowledgements').selectAll().where('alert_id', '=', alert!.id).execute()).toMatchObject([
      { exam_id: examId, user_id: school.otherTeacher.user.id, tenant_id: school.tenant.id },
    ]);
    const audit = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'resource_id'])
      .where('action', '=', 'alert.acknowledge')
      .where('resource_id', '=', alert!.id)
      .execute();
    expect(audit).toEqual([{ action: 'alert.acknowledge', actor_id: school.otherTeacher.user.id, resource_id: alert!.id }]);

    // A second acknowledgement changes nothing: the first stands, and is the answer.
    teacher.send({ type: 'ack', alertId: alert!.id });
    await teacher.until((r) => r.filter((m) => m.type === 'acknowledged').length === 2, 'the answer to the second');
    expect(teacher.received.filter((m) => m.type === 'acknowledged').at(-1)).toMatchObject({ alertId: alert!.id, by });
    expect(await db.selectFrom('alert_acknowledgements').select('user_id').where('alert_id', '=', alert!.id).execute()).toEqual([
      { user_id: school.otherTeacher.user.id },
    ]);

    // A new alert while the teacher is away: sent when they come back, the acknowledged one not.
    teacher.ws.close();
    await teacher.closed;
    await w.send(t.app, [{ t: 2000, type: 'violation', data: { kind: 'prolonged_absence', confidence: 0.8 } }]);
    await coTeacher.until((r) => alertsOf({ received: r } as AlertsClient).length === 2, 'the second alert');
    const back = alertsSocket((await examTicket(t.app, school.teacher, examId, 'alerts')).url);
    await back.until((r) => alertsOf({ received: r } as AlertsClient).length === 1, 'the open alert again');
    expect(alertsOf(back)[0]).toMatchObject({ kind: 'prolonged-absence', acknowledged: null });
    // Each alert reached each socket once.
    for (const s of [coTeacher, observer]) expect(new Set(alertsOf(s).map((a) => a.id)).size).toBe(alertsOf(s).length);
  });

  it('answers a malformed message or an unknown alert with a problem, and keeps the socket open', async () => {
    const s = alertsSocket((await examTicket(t.app, school.teacher, examId, 'alerts')).url);
    expect(await s.opened).toBe('open');
    s.ws.send('{not json');
    s.send({ type: 'ack', alertId: 'x'.repeat(500) });
    s.send({ type: 'ack', alertId: 'no-such-alert' });
    s.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await s.until((r) => r.filter((m) => m.type === 'problem').length === 4, 'four problems');
    expect(s.received.filter((m) => m.type === 'problem').map((m) => (m.problem as { type: string }).type)).toEqual([
      'urn:veritas:problem:malformed-json',
      'urn:veritas:problem:invalid-request',
      'urn:veritas:problem:not-found',
      'urn:veritas:problem:invalid-request',
    ]);
    expect(s.ws.readyState).toBe(s.ws.OPEN);
  });
});

describe('access to an exam live', () => {
  let examId: string;
  let otherExam: string;
  beforeAll(async () => {
    examId = await createExam(t.app, school.teacher);
    otherExam = await createExam(t.app, school.otherTeacher);
  });

  it('issues tickets to the exam’s teachers, admins and observers of its teachers only', async () => {
    const ask = (who: { headers: Record<string, string> } | undefined, exam = examId, payload: unknown = { purpose: 'exam-live' }) =>
      t.app.inject({ method: 'POST', url: `/v1/exams/${exam}/live-tickets`, headers: who?.headers ?? {}, payload: payload as object });
    expect((await ask(school.teacher)).statusCode).toBe(201);
    expect((await ask(school.admin)).statusCode).toBe(201);
    expect((await ask(school.observer)).statusCode).toBe(201);
    expect((await ask(school.otherTeacher)).statusCode).toBe(404);
    expect((await ask(school.otherObserver)).statusCode).toBe(404);
    expect((await ask(school.stranger)).statusCode).toBe(404);
    expect((await ask(school.student)).statusCode).toBe(403);
    expect((await ask(undefined)).statusCode).toBe(401);
    expect((await ask(school.teacher, examId, { purpose: 'everything' })).statusCode).toBe(400);
    expect((await ask(school.teacher, otherExam)).statusCode).toBe(404);
  });

  it('refuses a ticket for another channel, another exam, tampered or expired, and a bad origin', async () => {
    const live = await examTicket(t.app, school.teacher, examId, 'exam-live');
    const alerts = await examTicket(t.app, school.teacher, examId, 'alerts');
    const otherLive = await examTicket(t.app, school.otherTeacher, otherExam, 'exam-live');
    const status = async (url: string) => (await view(url)).status;
    expect(await status(`/v1/exams/${examId}/live?ticket=${alerts.ticket}`)).toBe(401);
    expect(await status(`/v1/exams/${examId}/live?ticket=${otherLive.ticket}`)).toBe(401);
    expect(await status(`/v1/exams/${examId}/live?ticket=${live.ticket.slice(0, -1)}${live.ticket.endsWith('A') ? 'B' : 'A'}`)).toBe(401);
    expect(await status(`/v1/exams/${examId}/live?ticket=${school.teacher.token}`)).toBe(401);
    expect(await status(`/v1/exams/${examId}/live`)).toBe(401);
    expect(await alertsSocket(`/v1/exams/${examId}/alerts/socket?ticket=${live.ticket}`).opened).toBe(401);
    expect(await alertsSocket(alerts.url, 'https://evil.example').opened).toBe(403);
    expect(await alertsSocket(alerts.url, 'null').opened).toBe(403);
    // The tenant's CORS origins may embed it; a client that sends no Origin is no browser page.
    const set = await t.app.inject({
      method: 'PATCH',
      url: '/v1/admin/tenant',
      headers: school.admin.headers,
      payload: { corsOrigins: ['https://lms.example'] },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(await alertsSocket(alerts.url, 'https://lms.example').opened).toBe('open');
    expect(await alertsSocket(alerts.url, undefined).opened).toBe('open');
    // Expired.
    await t.app.services.database.db
      .updateTable('exam_live_tickets')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    expect(await status(live.url)).toBe(401);
    expect(await alertsSocket(alerts.url).opened).toBe(401);
  });

  it('closes the streams and sockets of a person disabled, or no longer a teacher of the exam, within seconds', async () => {
    const r = await t.app.inject({ method: 'PUT', url: `/v1/exams/${examId}/co-teachers/${school.otherTeacher.user.id}`, headers: school.teacher.headers });
    expect(r.statusCode).toBe(204);
    const coView = await view((await examTicket(t.app, school.otherTeacher, examId, 'exam-live')).url);
    const coSocket = alertsSocket((await examTicket(t.app, school.otherTeacher, examId, 'alerts')).url);
    const obsView = await view((await examTicket(t.app, school.observer, examId, 'exam-live')).url);
    const obsSocket = alertsSocket((await examTicket(t.app, school.observer, examId, 'alerts')).url);
    expect(await coSocket.opened).toBe('open');
    expect(await obsSocket.opened).toBe('open');
    await coView.until((x) => studentsOf(x).length > 0, 'a first view');
    await t.app.inject({ method: 'DELETE', url: `/v1/exams/${examId}/co-teachers/${school.otherTeacher.user.id}`, headers: school.teacher.headers });
    await coView.closed;
    expect(await coSocket.closed).toBe(4403);
    await t.app.services.database.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', school.observer.user.id).execute();
    await obsView.closed;
    expect(await obsSocket.closed).toBe(4403);
  });
});
