import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { createEventBus } from '../../kernel/events';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildInstitution, type Institution } from '../../testing/institution';
import { createExam, startAttempt, type Writer } from '../../testing/exam-live';
import { typingEvents } from '../../testing/batches';
import { tablesRead } from '../../testing/tables-read';
import { TEST_DB } from '../../testing/test-database';
import { createLiveAnalysisService } from './live-analysis.service';

/**
 * The analysers of the sessions of one commit group are made from one read of their rows: an exam's
 * first seconds commit every student's first batch, and a read per session was thousands of queries
 * in front of ingest's (bench/README.md, live, "The first interval").
 */
describe(`live analysers made together (${TEST_DB})`, () => {
  let t: TestApp;
  let school: Institution;
  let writers: Writer[];
  beforeAll(async () => {
    t = await createTestApp();
    school = await buildInstitution(t.app);
    writers = [
      await startAttempt(t.app, await createExam(t.app, school.teacher), school.student),
      await startAttempt(t.app, await createExam(t.app, school.otherTeacher), school.otherStudent),
    ];
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads the sessions of one commit group in one query, and asks the tenant once for them', async () => {
    const read = tablesRead();
    const database = t.app.services.database;
    const asked: string[] = [];
    const live = createLiveAnalysisService(
      { ...database, db: database.db.withPlugin(read.plugin) },
      {
        policy: {
          hostSignals: 'accept',
          tenantHostSignals: async (tenantId) => (asked.push(tenantId), t.app.services.people.tenant.hostSignalsOf(tenantId)),
        },
      },
    );
    live.onCommitted(writers.map((w) => ({ sessionId: w.sessionId, tenantId: school.tenant.id, events: typingEvents('hello') })));
    await live.whenIdle();
    expect(live.size).toBe(2);
    expect(read.queries).toEqual([['sessions']]);
    expect(asked).toEqual([school.tenant.id, school.tenant.id]);

    // A session of another tenant's scope is not read for this one: its analyser is not made.
    live.onCommitted([{ sessionId: writers[0]!.sessionId, tenantId: school.otherTenant.id, events: typingEvents('x', 0) }]);
    await live.whenIdle();
    expect(live.size).toBe(2);
  });

  it("stores the alerts the analysers of one turn raise in one statement, and tells each session's own", async () => {
    const read = tablesRead();
    const database = t.app.services.database;
    const events = createEventBus();
    const raised: { sessionId: string; detectors: string[] }[] = [];
    events.on('alert.raised', ({ sessionId, alerts }) => void raised.push({ sessionId, detectors: alerts.map((a) => a.detector) }));
    const live = createLiveAnalysisService({ ...database, db: database.db.withPlugin(read.plugin) }, { events });
    const violation = (seq: number) => ({ seq, t: seq * 100, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.97 } }) as VeritasEvent;
    live.onCommitted(writers.map((w) => ({ sessionId: w.sessionId, tenantId: school.tenant.id, events: [...typingEvents('hi'), violation(2)] })));
    await live.whenIdle();
    expect(read.queries.filter((q) => q.includes('alerts'))).toEqual([['alerts']]);
    expect(raised.sort((a, b) => a.sessionId.localeCompare(b.sessionId))).toEqual(
      writers.map((w) => ({ sessionId: w.sessionId, detectors: ['several-faces'] })).sort((a, b) => a.sessionId.localeCompare(b.sessionId)),
    );

    // Told again (a replay after a restart): stored once, nothing raised again.
    live.forget(writers[0]!.sessionId);
    live.onCommitted([{ sessionId: writers[0]!.sessionId, tenantId: school.tenant.id, events: [...typingEvents('hi'), violation(2)] }]);
    await live.whenIdle();
    expect(raised).toHaveLength(2);
  });
});
