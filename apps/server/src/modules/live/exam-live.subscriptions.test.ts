import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../kernel/events';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { createExam, startAttempt, typed, type Writer } from '../../testing/exam-live';
import { tablesRead } from '../../testing/tables-read';
import type { LiveAlert } from './exam-live.schemas';
import type { ExamLiveService } from './exam-live.service';
import { subscribeExamLive } from './exam-live.subscriptions';

/**
 * alert.raised carries the alerts as stored: an exam's teachers are sent them named from the session's
 * attempt (looked up once per session and remembered), with no read of the alerts themselves. In a
 * burst of alerts (every student of an exam within two seconds) each read-back queued for the pool
 * behind every other query (bench/README.md, live, "2,000 students over the ingest socket, and the alert told as stored").
 */
describe('the exam rooms told of a new alert', () => {
  let t: TestApp;
  let school: Institution;
  let examId: string;
  let w: Writer;
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildInstitution(t.app);
    examId = await createExam(t.app, school.teacher);
    w = await startAttempt(t.app, examId, school.student);
    await w.send(t.app, typed('start', 0));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends its critical alerts as stored, reading only the attempt, once per session', async () => {
    const read = tablesRead();
    const published: { examId: string; alerts: LiveAlert[] }[] = [];
    const examLive = {
      publishAlerts: async (examId: string, alerts: LiveAlert[]) => void published.push({ examId, alerts }),
    } as unknown as ExamLiveService;
    const events = createEventBus();
    const errors: unknown[] = [];
    subscribeExamLive(events, { db: t.app.services.database.db.withPlugin(read.plugin), hub: t.app.services.hub, examLive, report: (err) => errors.push(err) });
    const scope = { tenantId: school.tenant.id } as never;
    const at = new Date().toISOString();

    await events.publish('alert.raised', {
      sessionId: w.sessionId,
      scope,
      alerts: [
        { id: 'a1', detector: 'several-faces', severity: 'medium', message: 'Two faces', at },
        { id: 'a2', detector: 'burst', severity: 'low', message: 'Not critical', at },
      ],
    });
    await expect.poll(() => published.length, { timeout: 30_000 }).toBe(1);
    expect(published[0]).toEqual({
      examId,
      alerts: [
        {
          id: 'a1',
          examId,
          attemptId: w.attemptId,
          sessionId: w.sessionId,
          studentName: school.student.user.display_name,
          kind: 'several-faces',
          severity: 'medium',
          message: 'Two faces',
          at,
          acknowledged: null,
        },
      ],
    });
    expect(read.queries).toEqual([['attempts', 'users']]);

    // The next alert of the session reads nothing; one with no critical alert is not sent.
    await events.publish('alert.raised', { sessionId: w.sessionId, scope, alerts: [{ id: 'a3', detector: 'no-face', severity: 'low', message: 'Away', at }] });
    await events.publish('alert.raised', {
      sessionId: w.sessionId,
      scope,
      alerts: [{ id: 'a4', detector: 'burst', severity: 'low', message: 'Not critical', at }],
    });
    await expect.poll(() => published.length, { timeout: 30_000 }).toBe(2);
    expect(published[1]!.alerts.map((a) => a.id)).toEqual(['a3']);
    expect(read.queries).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('looks the sessions first told in one turn up in one query, and sends each to its own exam', async () => {
    const otherExamId = await createExam(t.app, school.otherTeacher);
    const w2 = await startAttempt(t.app, otherExamId, school.otherStudent);
    const read = tablesRead();
    const channels: string[] = [];
    const hub = { publish: async (channel: string) => void channels.push(channel) } as never;
    const events = createEventBus();
    const errors: unknown[] = [];
    subscribeExamLive(events, { db: t.app.services.database.db.withPlugin(read.plugin), hub, examLive: {} as never, report: (err) => errors.push(err) });
    const scope = { tenantId: school.tenant.id } as never;
    const batch = (sessionId: string) => ({ sessionId, scope, events: [{ seq: 0, t: 0, type: 'key', data: { key: 'a' } }] as never });
    // A commit group's sessions are told in one synchronous loop (services.ts).
    await Promise.all([events.publish('batch.committed', batch(w.sessionId)), events.publish('batch.committed', batch(w2.sessionId))]);
    await expect.poll(() => channels.length, { timeout: 30_000 }).toBe(2);
    expect(channels.sort()).toEqual([`exam:${examId}`, `exam:${otherExamId}`].sort());
    expect(read.queries).toEqual([['attempts', 'users']]);
    expect(errors).toEqual([]);
  });
});
