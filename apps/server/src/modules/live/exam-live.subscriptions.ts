import DataLoader from 'dataloader';
import type { EventBus } from '../../kernel/events';
import { groupBy } from '../../kernel/group-by';
import type { Db } from '../../platform/db/database';
import type { HubErrorReporter, LiveHub } from '../../platform/hub/live-hub';
import { attemptsOfSessions, isCriticalAlert, type AttemptOfSession } from './exam-live.repository';
import { slim, type SlimEvent } from './exam-live.fold';
import { asHubMessage, examChannel } from './exam-live.room';
import type { ExamLiveService } from './exam-live.service';

/** Sessions whose attempt is remembered (an exam's session is looked up once per instance, not per batch). */
const REMEMBERED = 10_000;
/** A session found in no exam is looked up again after this (its attempt may be written just after it). */
const NONE_FOR_MS = 30_000;

/** A session to look up, with its tenant (every query is scoped by tenant). */
interface SessionKey {
  tenantId: string;
  sessionId: string;
}

/**
 * The attempts asked for in one turn of the event loop (a commit group's sessions, told together),
 * read in one query per tenant. Not a cache: the remembering is `attemptOf`'s.
 */
function attemptLoader(db: Db): DataLoader<SessionKey, AttemptOfSession | undefined> {
  return new DataLoader<SessionKey, AttemptOfSession | undefined>(
    async (keys) => {
      const found = new Map<string, Map<string, AttemptOfSession>>();
      for (const [tenantId, ks] of groupBy(keys, (k) => k.tenantId)) {
        const sessionIds = ks.map((k) => k.sessionId);
        found.set(tenantId, await attemptsOfSessions(db, tenantId, sessionIds));
      }
      return keys.map((k) => found.get(k.tenantId)!.get(k.sessionId));
    },
    { cache: false, maxBatchSize: 500 },
  );
}

/**
 * Feeds every instance's exam rooms: each commit of an exam's session is told on the exam's channel,
 * slimmed to what the live view folds (no text), and each alert.raised sends its new critical alerts
 * as they were stored, named from the remembered attempt (the sessions first told in one turn are
 * looked up in one query): an alert reaches the teachers with no read of its own, which in a burst
 * of alerts queued behind every other query for the pool. Like the session nudges
 * (live.subscriptions.ts), nothing here is awaited by ingest or the analyser, and a hub or database
 * that fails is reported, never thrown.
 */
export function subscribeExamLive(
  events: EventBus,
  { db, hub, examLive, report }: { db: Db; hub: LiveHub; examLive: ExamLiveService; report: HubErrorReporter },
): void {
  // A promise per session, so the batches of one session are told in commit order even while its attempt is looked up.
  const attempts = new Map<string, { attempt: Promise<AttemptOfSession | undefined>; at: number }>();
  const loader = attemptLoader(db);
  const attemptOf = (tenantId: string, sessionId: string): Promise<AttemptOfSession | undefined> => {
    const known = attempts.get(sessionId);
    if (known) {
      attempts.delete(sessionId);
      attempts.set(sessionId, known);
      return known.attempt.then((attempt) => {
        if (attempt === undefined && Date.now() - known.at > NONE_FOR_MS && attempts.get(sessionId) === known) attempts.delete(sessionId);
        return attempt;
      });
    }
    const attempt = loader.load({ tenantId, sessionId });
    const entry = { attempt, at: Date.now() };
    attempts.set(sessionId, entry);
    attempt.catch(() => attempts.delete(sessionId));
    while (attempts.size > REMEMBERED) attempts.delete(attempts.keys().next().value!);
    return attempt;
  };

  events.on('batch.committed', ({ sessionId, scope, events: committed }) => {
    const tenantId = scope.tenantId;
    const first = committed[0];
    const last = committed[committed.length - 1];
    if (tenantId === null || !first || !last) return;
    attemptOf(tenantId, sessionId)
      .then((attempt) => {
        if (attempt === undefined) return;
        const slims = committed.map(slim).filter((e): e is SlimEvent => e !== undefined);
        return hub
          .publish(examChannel(attempt.examId), asHubMessage({ k: 'batch', sessionId, firstSeq: first.seq, lastSeq: last.seq, events: slims }))
          .then(() => undefined);
      })
      .catch((err: unknown) => report(err, { channel: `exam-of:${sessionId}`, during: 'publish' }));
  });

  events.on('alert.raised', ({ sessionId, scope, alerts }) => {
    const tenantId = scope.tenantId;
    const critical = alerts.filter(isCriticalAlert);
    if (tenantId === null || critical.length === 0) return;
    attemptOf(tenantId, sessionId)
      .then((attempt) =>
        attempt === undefined
          ? undefined
          : examLive.publishAlerts(
              attempt.examId,
              critical.map((a) => ({
                id: a.id,
                examId: attempt.examId,
                attemptId: attempt.attemptId,
                sessionId,
                studentName: attempt.studentName,
                kind: a.detector,
                severity: a.severity,
                message: a.message,
                at: a.at,
                acknowledged: null, // stored just now: nobody has acknowledged it yet
              })),
            ),
      )
      .catch((err: unknown) => report(err, { channel: `exam-of:${sessionId}`, during: 'publish' }));
  });
}
