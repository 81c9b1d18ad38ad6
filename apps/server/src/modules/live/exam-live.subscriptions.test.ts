import type { KyselyPlugin, OperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../kernel/events';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { createExam, startAttempt, typed, type Writer } from '../../testing/exam-live';
import type { LiveAlert } from './exam-live.schemas';
import type { ExamLiveService } from './exam-live.service';
import { subscribeExamLive } from './exam-live.subscriptions';

/** The tables each query names, as a Kysely plugin sees the query before it runs. */
function tablesRead(): { plugin: KyselyPlugin; queries: string[][] } {
  const queries: string[][] = [];
  const tables = (node: unknown, into: Set<string>): Set<string> => {
    if (Array.isArray(node)) for (const n of node) tables(n, into);
    else if (node !== null && typeof node === 'object') {
      const n = node as { kind?: string; table?: { identifier?: { name?: string } } };
      if (n.kind === 'TableNode' && n.table?.identifier?.name) into.add(n.table.identifier.name);
      // A column reference names its table's alias ("a"."exam_id"), not a table read.
      if (n.kind !== 'ReferenceNode') for (const v of Object.values(node)) tables(v, into);
    }
    return into;
  };
  return {
    queries,
    plugin: {
      transformQuery: ({ node }) => {
        queries.push([...tables(node as OperationNode, new Set())].sort());
        return node;
      },
      transformResult: async ({ result }) => result,
    },
  };
}

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
});
