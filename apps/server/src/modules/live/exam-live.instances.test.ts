import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB, TEST_REDIS_URL } from '../../testing/test-database';
import { startServerProcess, type ServerProcess } from '../../testing/server-process';
import { buildInstitution, type Institution } from '../../testing/institution';
import { openSse, type SseClient } from '../../testing/sse-client';
import { baseOf } from '../../testing/live';
import { createExam, examTicket, openAlerts, startAttempt, typed, type AlertsClient } from '../../testing/exam-live';
import type { LiveAlert, StudentsMessage } from './exam-live.schemas';

/**
 * Two server processes on one PostgreSQL and one Redis (issue 13): this test's app is the first, a
 * `veritas serve` process the second. Students write through the first; teachers watch on either.
 */
describe.runIf(TEST_DB === 'postgres' && TEST_REDIS_URL !== undefined)('an exam live across two instances', () => {
  let first: TestApp;
  let second: ServerProcess;
  let school: Institution;
  const streams: SseClient[] = [];
  const sockets: AlertsClient[] = [];

  beforeAll(async () => {
    first = await createTestApp({ live: { heartbeatMs: 600_000, recheckMs: 1000, maxBufferedBytes: 1024 * 1024 } });
    await first.app.listen({ host: '127.0.0.1', port: 0 });
    second = await startServerProcess({ DATABASE_URL: first.db.url!, REDIS_URL: TEST_REDIS_URL!, VERITAS_JOBS_DRIVER: 'embedded' });
    school = await buildInstitution(first.app);
  }, 60_000);
  afterAll(async () => {
    for (const c of streams) c.close();
    for (const s of sockets) s.ws.terminate();
    second?.proc.kill('SIGTERM');
    await second?.exited();
    await first?.close();
  });

  it('a teacher on the second sees the students writing through the first, and an alert raised on the first, once; an acknowledgement on the second reaches the first', async () => {
    expect(first.app.services.hub.driver).toBe('redis');
    const examId = await createExam(first.app, school.teacher);
    const put = await first.app.inject({
      method: 'PUT',
      url: `/v1/exams/${examId}/co-teachers/${school.otherTeacher.user.id}`,
      headers: school.teacher.headers,
    });
    expect(put.statusCode).toBe(204);
    const w = await startAttempt(first.app, examId, school.student);
    await w.send(first.app, typed('ab', 0));

    // Tickets issued by the first, redeemed on the second.
    const view = await openSse(`${second.url}${(await examTicket(first.app, school.otherTeacher, examId, 'exam-live')).url}`);
    streams.push(view);
    expect(view.status).toBe(200);
    const state = () =>
      view.messages
        .filter((m) => m.event === 'students')
        .map((m) => JSON.parse(m.data) as StudentsMessage)
        .at(-1)
        ?.students.find((s) => s.attemptId === w.attemptId);
    await view.until(() => state()?.charsPerMinute === 2, 'the seeded student on the second');
    await w.send(first.app, typed('cdef', 300, 2));
    await view.until(() => state()?.charsPerMinute === 6, 'what the student wrote through the first');

    const onSecond = openAlerts(`${second.url.replace('http', 'ws')}${(await examTicket(first.app, school.otherTeacher, examId, 'alerts')).url}`, second.url);
    const onFirst = openAlerts(`${baseOf(first.app).replace('http', 'ws')}${(await examTicket(first.app, school.teacher, examId, 'alerts')).url}`);
    sockets.push(onSecond, onFirst);
    expect(await onSecond.opened).toBe('open');
    expect(await onFirst.opened).toBe('open');
    const alerts = (c: AlertsClient) => c.received.filter((m) => m.type === 'alert').map((m) => m.alert as LiveAlert);

    await w.send(first.app, [{ t: 1000, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.95 } }]);
    await onSecond.until(() => alerts(onSecond).length === 1, 'the alert on the second');
    const [alert] = alerts(onSecond);
    expect(alert).toMatchObject({ examId, sessionId: w.sessionId, kind: 'several-faces', acknowledged: null });
    await view.until(() => state()?.openAlerts === 1, 'the open alert in the view on the second');

    onSecond.send({ type: 'ack', alertId: alert!.id });
    await onFirst.until((r) => r.some((m) => m.type === 'acknowledged'), 'the acknowledgement on the first');
    expect(onFirst.received.find((m) => m.type === 'acknowledged')).toMatchObject({ alertId: alert!.id, by: { id: school.otherTeacher.user.id } });
    await onSecond.until((r) => r.some((m) => m.type === 'acknowledged'), 'the acknowledgement on the second');
    await view.until(() => state()?.openAlerts === 0, 'no open alert in the view on the second');
    // Once: after the acknowledgement went round, the second had the alert exactly once.
    expect(alerts(onSecond).map((a) => a.id)).toEqual([alert!.id]);
    expect(alerts(onFirst).map((a) => a.id)).toEqual([alert!.id]);
  }, 60_000);
});
