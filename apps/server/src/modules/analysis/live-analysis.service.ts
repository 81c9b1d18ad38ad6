import DataLoader from 'dataloader';
import { createIncrementalAnalyzer, type Flag, type IncrementalAnalyzer } from '@veritas/analysis';
import type { VeritasEvent } from '@veritas/schema';
import type { Database } from '../../platform/db/database';
import type { CommittedEvents } from '../ingest';
import { findSession, findSessions, eventPages } from '../sessions';
import { scopeOfRow, type Scope } from '../../kernel/scope';
import type { SessionRow } from '../../platform/db/tables';
import type { EventBus } from '../../kernel/events';
import { groupBy } from '../../kernel/group-by';
import {
  countAlertsOfSessions,
  insertAlerts,
  listAlerts,
  listAlertsOfSessions,
  type AlertRow,
  type NewAlert,
  type StoredSessionAlert,
} from './alerts.repository';
import { AppError } from '../../kernel/errors';
import { guard } from '../../platform/db/database-errors';
import { analysisOptionsFor, policyFor, type AnalysisPolicy } from './analysis.service';

export interface LiveAnalysisLogger {
  error(obj: object, msg: string): void;
}

export interface LiveAnalysisService {
  /** The ingest hook: schedules the analysis of newly committed events, off the request path. Never throws. */
  onCommitted(committed: CommittedEvents[]): void;
  /** Drops a session's analyser once its queued work is done (the session ended). */
  forget(sessionId: string): void;
  /** A session's stored alerts, in stream order; not-found when the session is not in scope. */
  alerts(scope: Scope, sessionId: string, limit: number): Promise<AlertRow[]>;
  /** The stored alerts of several sessions of the scope (each one's first `limitEach`, in stream order), in one read; a session out of scope has none. */
  alertsOfSessions(scope: Scope, sessionIds: readonly string[], limitEach: number): Promise<Map<string, AlertRow[]>>;
  /** How many alerts each of several sessions of the scope has stored (none: left out). */
  alertCountsOfSessions(scope: Scope, sessionIds: readonly string[]): Promise<Map<string, number>>;
  /** Resolves when all scheduled work is done (tests, shutdown). */
  whenIdle(): Promise<void>;
  /** Sessions with an analyser in memory. */
  readonly size: number;
}

export interface LiveAnalysisOptions {
  /** Analysers kept in memory, least recently fed evicted first (default 1000; the server's is VERITAS_LIVE_ANALYSERS). */
  maxSessions?: number;
  log?: LiveAnalysisLogger;
  /** The host-signal policy the whole analysis uses too, so live alerts and the final analysis agree. */
  policy?: AnalysisPolicy;
  /** Told alert.raised when new alerts are stored. */
  events?: EventBus;
}

interface Live {
  analyzer: IncrementalAnalyzer;
  scope: Scope;
}

const PAGE = 5000;

/**
 * Live alerts: one incremental analyser per active session, fed by ingest after each commit.
 * The analyser needs the contiguous stream from seq 0, so a session not in memory (evicted, or
 * fed by another instance, or after a restart) is first rebuilt from its stored events, and a
 * gap (events committed by another instance) is filled from storage. Alerts are stored once each
 * (unique on session, detector and evidence.seqFrom), so rebuilding and replays never duplicate.
 */
export function createLiveAnalysisService(database: Database, options: LiveAnalysisOptions = {}): LiveAnalysisService {
  const { db } = database;
  const max = Math.max(1, options.maxSessions ?? 1000);
  const live = new Map<string, Live>(); // insertion order = recency (LRU)
  const pending = new Map<string, Promise<void>>();
  // The sessions whose analysers are made in one turn of the event loop (a commit group's, as an exam
  // starts: every student's first batch within seconds) are read in one query per tenant, not one each.
  const sessionsRead = new DataLoader<{ tenantId: string | null; sessionId: string }, SessionRow | undefined>(
    async (keys) => {
      const found = new Map<string, SessionRow>();
      for (const [tenantId, ks] of groupBy(keys, (k) => k.tenantId)) {
        const rows = await findSessions(
          db,
          scopeOfRow({ tenant_id: tenantId }),
          ks.map((k) => k.sessionId),
        );
        for (const row of rows) found.set(`${tenantId ?? ''}/${row.id}`, row);
      }
      return keys.map((k) => found.get(`${k.tenantId ?? ''}/${k.sessionId}`));
    },
    { cache: false, maxBatchSize: 500 },
  );
  // The same for the alerts the analysers of one turn raise: an exam's violations come from every
  // student within seconds, and each session's insert queued for the pool on its own. A statement that
  // fails fails its turn's sessions together; each drops its analyser and raises its alerts again from
  // the stored events with its next batch (the inserts are idempotent), as a lone failure did.
  const alertsStored = new DataLoader<{ scope: Scope; alerts: NewAlert[] }, StoredSessionAlert[]>(
    async (asks) => {
      const stored: StoredSessionAlert[] = [];
      for (const group of groupBy(asks, (a) => a.scope.tenantId).values()) {
        const alerts = group.flatMap((a) => a.alerts);
        stored.push(...(await insertAlerts(db, group[0]!.scope, alerts)));
      }
      const bySession = groupBy(stored, (s) => s.sessionId);
      // One ask per session in a turn (a session's work is serialised), so a session's stored alerts are its ask's.
      return asks.map((a) => bySession.get(a.alerts[0]!.sessionId) ?? []);
    },
    { cache: false, maxBatchSize: 200 },
  );

  function touch(id: string, l: Live): void {
    live.delete(id);
    live.set(id, l);
    while (live.size > max) live.delete(live.keys().next().value!);
  }

  /** Pushes stored events (after the analyser's last seq, before `until`) into the analyser. */
  async function catchUp(scope: Scope, id: string, l: Live, until: number, alerts: Flag[]): Promise<void> {
    if (l.analyzer.lastSeq + 1 >= until) return;
    for await (const page of eventPages(db, scope, id, l.analyzer.lastSeq, PAGE)) {
      alerts.push(...l.analyzer.push(page.filter((e) => e.seq < until)));
      if (l.analyzer.lastSeq + 1 >= until) return;
    }
    throw new Error(`stored events of ${id} stop at seq ${l.analyzer.lastSeq}, before ${until}`);
  }

  async function process(c: CommittedEvents): Promise<void> {
    const scope = scopeOfRow({ tenant_id: c.tenantId });
    let l = live.get(c.sessionId);
    if (!l) {
      const session = await sessionsRead.load({ tenantId: c.tenantId, sessionId: c.sessionId });
      if (!session) return;
      const policy = await policyFor(session, options.policy ?? { hostSignals: 'accept' });
      l = { analyzer: createIncrementalAnalyzer(analysisOptionsFor(session, policy)), scope };
    }
    const fresh: VeritasEvent[] = c.events.filter((e) => e.seq > l!.analyzer.lastSeq);
    if (fresh.length === 0) return;
    const alerts: Flag[] = [];
    await catchUp(scope, c.sessionId, l, fresh[0]!.seq, alerts);
    alerts.push(...l.analyzer.push(fresh));
    touch(c.sessionId, l);
    if (alerts.length === 0) return;
    const stored = await alertsStored.load({
      scope,
      alerts: alerts.map((a) => ({
        sessionId: c.sessionId,
        detector: a.detector,
        severity: a.severity,
        message: a.message,
        evidence: a.evidence,
        values: a.values,
      })),
    });
    if (stored.length > 0)
      await options.events?.publish('alert.raised', {
        sessionId: c.sessionId,
        scope,
        alerts: stored.map(({ id, detector, severity, message, at }) => ({ id, detector, severity, message, at })),
      });
  }

  function schedule(id: string, work: () => Promise<void>): void {
    const prev = pending.get(id) ?? Promise.resolve();
    const next: Promise<void> = prev
      .then(work)
      .catch((err) => {
        // Never fails ingest: the events are stored; the analyser is rebuilt from them next time.
        live.delete(id);
        options.log?.error({ err, sessionId: id }, 'live analysis failed');
      })
      .finally(() => {
        if (pending.get(id) === next) pending.delete(id);
      });
    pending.set(id, next);
  }

  return {
    onCommitted(committed) {
      for (const c of committed) schedule(c.sessionId, () => process(c));
    },
    forget(sessionId) {
      schedule(sessionId, async () => void live.delete(sessionId));
    },
    async alerts(scope, sessionId, limit) {
      if (!(await guard(findSession(db, scope, sessionId)))) throw new AppError('not-found', `no session ${sessionId}`);
      return guard(listAlerts(db, scope, sessionId, limit));
    },
    async alertsOfSessions(scope, sessionIds, limitEach) {
      return groupBy(await guard(listAlertsOfSessions(db, scope, sessionIds, limitEach)), (a) => a.session_id);
    },
    alertCountsOfSessions: (scope, sessionIds) => guard(countAlertsOfSessions(db, scope, sessionIds)),
    async whenIdle() {
      while (pending.size > 0) await Promise.all([...pending.values()]);
    },
    get size() {
      return live.size;
    },
  };
}
