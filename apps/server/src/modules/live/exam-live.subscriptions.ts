import type { EventBus } from '../../kernel/events';
import type { Db } from '../../platform/db/database';
import type { HubErrorReporter, LiveHub } from '../../platform/hub/live-hub';
import { examOfSession } from './exam-live.repository';
import { slim, type SlimEvent } from './exam-live.fold';
import { asHubMessage, examChannel } from './exam-live.room';
import type { ExamLiveService } from './exam-live.service';

/** Sessions whose exam is remembered (an exam's session is looked up once per instance, not per batch). */
const REMEMBERED = 10_000;
/** A session found in no exam is looked up again after this (its attempt may be written just after it). */
const NONE_FOR_MS = 30_000;

/**
 * Feeds every instance's exam rooms: each commit of an exam's session is told on the exam's channel,
 * slimmed to what the live view folds (no text), and each alert.raised sends that session's open
 * critical alerts. Like the session nudges (live.subscriptions.ts), nothing here is awaited by ingest
 * or the analyser, and a hub or database that fails is reported, never thrown.
 */
export function subscribeExamLive(
  events: EventBus,
  { db, hub, examLive, report }: { db: Db; hub: LiveHub; examLive: ExamLiveService; report: HubErrorReporter },
): void {
  // A promise per session, so the batches of one session are told in commit order even while its exam is looked up.
  const exams = new Map<string, { exam: Promise<string | undefined>; at: number }>();
  const examOf = (tenantId: string, sessionId: string): Promise<string | undefined> => {
    const known = exams.get(sessionId);
    if (known) {
      exams.delete(sessionId);
      exams.set(sessionId, known);
      return known.exam.then((exam) => {
        if (exam === undefined && Date.now() - known.at > NONE_FOR_MS && exams.get(sessionId) === known) exams.delete(sessionId);
        return exam;
      });
    }
    const exam = examOfSession(db, tenantId, sessionId);
    const entry = { exam, at: Date.now() };
    exams.set(sessionId, entry);
    exam.catch(() => exams.delete(sessionId));
    while (exams.size > REMEMBERED) exams.delete(exams.keys().next().value!);
    return exam;
  };

  events.on('batch.committed', ({ sessionId, scope, events: committed }) => {
    const tenantId = scope.tenantId;
    const first = committed[0];
    const last = committed[committed.length - 1];
    if (tenantId === null || !first || !last) return;
    examOf(tenantId, sessionId)
      .then((examId) => {
        if (examId === undefined) return;
        const slims = committed.map(slim).filter((e): e is SlimEvent => e !== undefined);
        return hub
          .publish(examChannel(examId), asHubMessage({ k: 'batch', sessionId, firstSeq: first.seq, lastSeq: last.seq, events: slims }))
          .then(() => undefined);
      })
      .catch((err: unknown) => report(err, { channel: `exam-of:${sessionId}`, during: 'publish' }));
  });

  events.on('alert.raised', ({ sessionId, scope }) => {
    const tenantId = scope.tenantId;
    if (tenantId === null) return;
    examOf(tenantId, sessionId)
      .then((examId) => (examId === undefined ? undefined : examLive.publishAlerts(tenantId, examId, sessionId)))
      .catch((err: unknown) => report(err, { channel: `exam-of:${sessionId}`, during: 'publish' }));
  });
}
