import { ANALYSIS_FORMAT, createIncrementalAnalyzer, type AnalysisOptions, type AnalysisResult } from '@veritas/analysis';
import type { SessionMeta } from '@veritas/schema';
import type { Database, Db } from '../../platform/db/database';
import type { SessionRow } from '../../platform/db/tables';
import { guard } from '../../platform/db/database-errors';
import { AppError } from '../../kernel/errors';
import { scopeOfRow, type Scope } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import { findSession, eventPages, type AnalysisSettings } from '../sessions';
import { findAnalysis, listAnalysisSummaries, listEndedWithoutAnalysis, upsertAnalysis } from './analyses.repository';
import { jobIdFor, type JobQueue, type QueuePolicy } from '../../platform/queue/job-queue';

/** The job that runs the whole analysis of an ended session. */
export const ANALYZE_SESSION = 'analyze-session';

/** Its retry policy: a few retries a few seconds apart; a run may take up to 15 minutes. */
export const ANALYZE_SESSION_POLICY: Partial<QueuePolicy> = { retryLimit: 4, retryDelayMs: 2000, visibilityTimeoutMs: 15 * 60_000 };

export interface AnalyzeSessionJob {
  sessionId: string;
  tenantId: string | null;
}

export type AnalysisStatus =
  | { status: 'done'; analysis: AnalysisResult; analyzedAt: string; version: string }
  | { status: 'pending' | 'running'; attempts: number; lastError?: string; detail?: string }
  | { status: 'failed'; error: string; attempts: number };

/** A session's analysis in one line (AnalysisSummary in analysis.schemas.ts). */
export type AnalysisSummary =
  | { state: 'done'; risk: 'low' | 'medium' | 'high'; integrity: number; flags: number }
  // Too little to judge: no score and no risk label (issue 11), the flags still listed.
  | { state: 'not-enough-data'; flags: number }
  | { state: 'pending' | 'running' | 'failed' };

export interface AnalysisService {
  /**
   * The analysis summary of each of these sessions (of the scope), by id: one query for the stored
   * analyses, a job lookup only for those without one. Reads only: never enqueues.
   */
  summaries(scope: Scope, sessions: readonly Pick<SessionRow, 'id' | 'status'>[]): Promise<Map<string, AnalysisSummary>>;
  /** Enqueues the analysis of an ended session (idempotent: one job per session). */
  request(scope: Scope, sessionId: string): Promise<void>;
  /** Where a session's analysis stands; not-found when the session is not in scope. */
  status(scope: Scope, sessionId: string): Promise<AnalysisStatus>;
  /** The job (bound to its name in jobs/registry.ts): reads the stored events page by page, analyses them, stores the result. */
  run(job: AnalyzeSessionJob): Promise<void>;
  /** Enqueues ended sessions that have no analysis yet (a process died between end and enqueue). */
  sweep(sinceMs?: number): Promise<number>;
}

/** What decides how a session is analysed, besides its events. */
export interface AnalysisPolicy {
  /** The server's choice on host-page signals (VERITAS_HOST_SIGNALS); `refuse` wins over every tenant and session. */
  hostSignals: 'accept' | 'refuse';
  /** A tenant's choice (its settings), asked for each of its sessions' analysis; absent, only the server's counts. */
  tenantHostSignals?: (tenantId: string) => Promise<'accept' | 'refuse'>;
}

/** The policy for one session: the server's refusal, else its tenant's choice (public sessions have only the server's). */
export async function policyFor(session: Pick<SessionRow, 'tenant_id'>, policy: AnalysisPolicy): Promise<AnalysisPolicy> {
  if (policy.hostSignals === 'refuse' || session.tenant_id === null || !policy.tenantHostSignals) return policy;
  return { hostSignals: await policy.tenantHostSignals(session.tenant_id) };
}

/**
 * The options a session is analysed with: its initial text, the thresholds its exam set at creation
 * (checked then), and whether host-page signals are shown at all.
 */
export function analysisOptionsFor(session: Pick<SessionRow, 'meta' | 'analysis_settings'>, policy: AnalysisPolicy): AnalysisOptions {
  const meta = session.meta as SessionMeta;
  const settings = (session.analysis_settings ?? {}) as AnalysisSettings;
  return {
    ...(typeof meta.initialText === 'string' ? { initialText: meta.initialText } : {}),
    // The analysis reads only what the source declared it captured (issue 11).
    ...(meta.capabilities ? { capabilities: meta.capabilities } : {}),
    ...(settings.assistiveTechnology ? { assistiveTechnology: true } : {}),
    ...(settings.thresholds ? { thresholds: settings.thresholds } : {}),
    acceptHostSignals: policy.hostSignals !== 'refuse' && settings.acceptHostSignals !== false,
  };
}

/**
 * Analyses a session's stored events, reading them page by page. The incremental analyser's
 * result equals analyzeSession over the same events (a property of @veritas/analysis), and it
 * never holds the whole event list in memory.
 */
export async function analyzeStored(
  db: Db,
  session: Pick<SessionRow, 'id' | 'meta' | 'tenant_id' | 'analysis_settings'>,
  policy: AnalysisPolicy,
): Promise<AnalysisResult> {
  const analyzer = createIncrementalAnalyzer(analysisOptionsFor(session, policy));
  for await (const page of eventPages(db, scopeOfRow(session), session.id)) analyzer.push(page);
  return analyzer.result();
}

export interface AnalysisDeps {
  database: Database;
  jobs: JobQueue;
  policy: AnalysisPolicy;
  /** Told analysis.done when a result is stored. */
  events: EventBus;
}

export function createAnalysisService({ database: { db }, jobs, policy, events }: AnalysisDeps): AnalysisService {
  async function sessionIn(scope: Scope, id: string): Promise<SessionRow> {
    const s = await guard(findSession(db, scope, id));
    if (!s) throw new AppError('not-found', `no session ${id}`);
    return s;
  }

  async function enqueue(scope: Scope, sessionId: string) {
    const data: AnalyzeSessionJob = { sessionId, tenantId: scope.tenantId };
    await guard(jobs.enqueue(ANALYZE_SESSION, data, { key: sessionId }));
  }

  async function done(scope: Scope, sessionId: string): Promise<AnalysisStatus | null> {
    const row = await guard(findAnalysis(db, scope, sessionId));
    return row ? { status: 'done', analysis: row.result as AnalysisResult, analyzedAt: row.analyzed_at.toISOString(), version: row.version } : null;
  }

  async function run({ sessionId, tenantId }: AnalyzeSessionJob): Promise<void> {
    const scope = scopeOfRow({ tenant_id: tenantId });
    const session = await findSession(db, scope, sessionId);
    if (!session) return; // deleted since: nothing to analyse
    const result = await analyzeStored(db, session, await policyFor(session, policy));
    await upsertAnalysis(db, scope, { sessionId, result, version: ANALYSIS_FORMAT });
    await events.publish('analysis.done', { sessionId, scope, version: ANALYSIS_FORMAT });
  }

  return {
    async request(scope, sessionId) {
      // Already analysed by this format: nothing to do (the job record may be gone by retention; no
      // second run). A result of an older format is enqueued again, but the job is keyed by session,
      // so it runs only once the old job record is gone; until then the old result is served as stored.
      const stored = await guard(findAnalysis(db, scope, sessionId));
      if (stored && stored.version === ANALYSIS_FORMAT) return;
      await enqueue(scope, sessionId);
    },

    async summaries(scope, sessions) {
      const out = new Map<string, AnalysisSummary>();
      const stored = await guard(
        listAnalysisSummaries(
          db,
          scope,
          sessions.map((s) => s.id),
        ),
      );
      for (const a of stored) {
        const flags = Number(a.flags);
        out.set(
          a.session_id,
          a.risk === null || a.integrity === null
            ? { state: 'not-enough-data', flags }
            : { state: 'done', risk: a.risk as 'low' | 'medium' | 'high', integrity: Number(a.integrity), flags },
        );
      }
      for (const s of sessions) {
        if (out.has(s.id)) continue;
        if (s.status !== 'ended') {
          out.set(s.id, { state: 'pending' });
          continue;
        }
        const job = await guard(jobs.get(ANALYZE_SESSION, jobIdFor(ANALYZE_SESSION, s.id)));
        out.set(s.id, { state: job?.state === 'failed' ? 'failed' : job?.state === 'running' ? 'running' : 'pending' });
      }
      return out;
    },

    async status(scope, sessionId) {
      const session = await sessionIn(scope, sessionId);
      const stored = await done(scope, sessionId);
      if (stored) return stored;
      const job = await guard(jobs.get(ANALYZE_SESSION, jobIdFor(ANALYZE_SESSION, sessionId)));
      if (!job) {
        if (session.status !== 'ended') return { status: 'pending', attempts: 0, detail: 'the analysis runs when the session ends' };
        // Ended but never enqueued (or its job record expired): enqueue now; it is idempotent.
        await enqueue(scope, sessionId);
        return { status: 'pending', attempts: 0 };
      }
      switch (job.state) {
        case 'failed':
          return { status: 'failed', error: job.lastError ?? 'the analysis failed', attempts: job.attempts };
        case 'running':
          return { status: 'running', attempts: job.attempts };
        case 'done':
          // Finished between our two reads.
          return (await done(scope, sessionId)) ?? { status: 'failed', error: 'the analysis job finished without storing a result', attempts: job.attempts };
        default:
          return { status: 'pending', attempts: job.attempts, ...(job.lastError ? { lastError: job.lastError } : {}) };
      }
    },

    run,

    async sweep(sinceMs = 7 * 24 * 3600_000) {
      const missing = await listEndedWithoutAnalysis(db, new Date(Date.now() - sinceMs), 1000);
      for (const s of missing) await enqueue(scopeOfRow(s), s.id);
      return missing.length;
    },
  };
}
