import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { listingOf } from '../../kernel/policy';
import type { Scope, TenantId } from '../../kernel/scope';
import type { EventBus } from '../../kernel/events';
import type { Database } from '../../platform/db/database';
import type { DB, ReviewState } from '../../platform/db/tables';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import type { Reach } from '../grants';
import {
  consolidate,
  countAnswers,
  findFlagWithinReach,
  insertAnswer,
  insertDecision,
  listAnswers,
  listDecisions,
  listFlags,
  listOccurrences,
  lockFlag,
  setFlagState,
  type AnswerRow,
  type DecisionRow,
  type FlagRow,
  type NewOccurrence,
  type OccurrenceRow,
} from './flags.repository';
import { decodeQueuePosition, encodeQueuePosition } from './review-cursor';
import { inSteps } from './consolidation-steps';
import { severityRank, transition, type Decision, type ReviewState as State } from './review-states';

/** What a detector raised about a stretch of a session, as the analysis's flags and the live alerts both carry it. */
export interface RaisedFlag {
  detector: string;
  severity: string;
  message: string;
  evidence: unknown;
  values: unknown;
}

/** Where the review reads a session's raised flags from (the analysis module, wired in services.ts). */
export interface FlagSources {
  /** The flags of the session's stored analysis; none while it has none. */
  analysisFlags(scope: Scope, sessionId: string): Promise<RaisedFlag[]>;
  /** The stored live alerts of several sessions of the scope, in one read (a session out of scope has none). */
  alertsOf(scope: Scope, sessionIds: readonly string[]): Promise<Map<string, RaisedFlag[]>>;
  /** How many live alerts each of several sessions of the scope has stored (none: left out). */
  alertCounts(scope: Scope, sessionIds: readonly string[]): Promise<Map<string, number>>;
}

/** A flag with what its reader sees of it. */
export interface FlagDetail {
  flag: FlagRow;
  occurrences: OccurrenceRow[];
  decisions: DecisionRow[];
  answers: AnswerRow[];
}

export interface FlagPage {
  items: FlagRow[];
  next: string | null;
}

export interface QueueQuery {
  state?: State | 'pending' | 'all';
  severity?: 'low' | 'medium' | 'high';
  cursor?: string;
  limit: number;
}

export interface DecisionInput {
  decision: Decision;
  note?: string;
  noteToStudent?: string;
}

export interface AnswerInput {
  kind: 'explanation' | 'appeal';
  text: string;
}

export interface ReviewService {
  /** Consolidates the session's raised flags (from its analysis, or its live alerts) into review flags. Idempotent; never changes a review state. */
  collect(scope: Scope, sessionId: string, from: 'analysis' | 'alerts'): Promise<number>;
  /**
   * The same for the live alerts of several sessions of the scope, in one transaction of a few
   * statements whatever their number (an exam's burst of alerts). Returns the flags each session has.
   */
  collectAlerts(scope: Scope, sessionIds: readonly string[]): Promise<Map<string, number>>;
  /** The flags the reviewer (or observer) may see, but those of their own sessions, by severity then age. */
  queue(actor: UserActor, q: QueueQuery): Promise<FlagPage>;
  /** A session's flags with their occurrences (the first OCCURRENCES_SHOWN), decisions and answers; the caller holds a grant to the session. */
  sessionFlags(actor: UserActor, sessionId: string, context: RequestContext): Promise<FlagDetail[]>;
  /** The flags about the student themselves, with what is meant for them. */
  ownFlags(actor: UserActor, q: QueueQuery): Promise<{ items: FlagDetail[]; next: string | null }>;
  decide(actor: UserActor, flagId: string, input: DecisionInput, context: RequestContext): Promise<FlagDetail>;
  answer(actor: UserActor, flagId: string, input: AnswerInput, context: RequestContext): Promise<AnswerRow>;
}

/**
 * Alerts consolidated in one transaction at most (but a session's own, which go alone): a group of
 * sessions is read and written in steps of this many, so a burst of sessions with thousands of alerts
 * each never holds them all in memory at once.
 */
export const ALERTS_PER_CONSOLIDATION = 20_000;

/** Occurrences listed per flag (the count says how many there are in all). */
export const OCCURRENCES_SHOWN = 100;
/** Answers a student may give to one flag. */
export const ANSWERS_PER_FLAG = 10;
/** The states that wait for someone's decision: the queue's default (with the flags changed since their decision). */
export const PENDING: readonly ReviewState[] = ['open', 'awaiting_second_review', 'escalated'];

const newFlagId = () => `rv_${randomBytes(12).toString('base64url')}`;

function reachOf(actor: UserActor): Reach {
  const { listing, userId } = listingOf(actor);
  return { listing, ...(userId !== undefined ? { userId } : {}) };
}

function occurrenceOf(f: RaisedFlag, source: 'alert' | 'analysis'): NewOccurrence | null {
  const e = (f.evidence ?? {}) as { seqFrom?: unknown; seqTo?: unknown; tFrom?: unknown; tTo?: unknown };
  if (typeof e.seqFrom !== 'number') return null;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  return {
    kind: f.detector,
    seqFrom: e.seqFrom,
    seqTo: num(e.seqTo, e.seqFrom),
    tFrom: num(e.tFrom, 0),
    tTo: num(e.tTo, num(e.tFrom, 0)),
    severity: f.severity,
    severityRank: severityRank(f.severity),
    message: f.message,
    evidence: f.evidence,
    values: f.values ?? {},
    source,
  };
}

export function createReviewService({
  database: { db },
  audit,
  sources,
  events,
  clock = () => new Date(),
  alertsPerConsolidation = ALERTS_PER_CONSOLIDATION,
}: {
  database: Database;
  audit: AuditService;
  sources: FlagSources;
  /** Where flag.raised and flag.reviewed are told (webhooks subscribe); optional for callers that tell nobody. */
  events?: EventBus;
  clock?: () => Date;
  /** Alerts consolidated in one transaction at most (tests make it small). */
  alertsPerConsolidation?: number;
}): ReviewService {
  const inTransaction = <T>(work: (trx: Kysely<DB>) => Promise<T>) => db.transaction().execute(work).catch(rethrowUnavailable);
  const tenantOf = (actor: UserActor): TenantId => actor.tenantId;

  async function details(tenant: TenantId, flags: FlagRow[]): Promise<FlagDetail[]> {
    const ids = flags.map((f) => f.id);
    const [occurrences, decisions, answers] = await guard(
      Promise.all([listOccurrences(db, tenant, ids, OCCURRENCES_SHOWN), listDecisions(db, tenant, ids), listAnswers(db, tenant, ids)]),
    );
    return flags.map((flag) => ({
      flag,
      occurrences: occurrences.filter((o) => o.flag_id === flag.id),
      decisions: decisions.filter((d) => d.flag_id === flag.id),
      answers: answers.filter((a) => a.flag_id === flag.id),
    }));
  }

  async function page(actor: UserActor, reach: Reach, q: QueueQuery, notOwn = false): Promise<FlagPage> {
    const states = q.state === 'all' ? undefined : q.state === undefined || q.state === 'pending' ? PENDING : [q.state];
    const rows = await guard(
      listFlags(db, actor.scope, reach, {
        limit: q.limit + 1,
        ...(states ? { states, withChanged: q.state === undefined || q.state === 'pending' } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
        ...(notOwn ? { notOwnedBy: actor.userId } : {}),
        ...(q.cursor ? { after: decodeQueuePosition(q.cursor) } : {}),
      }),
    );
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items, next: rows.length > q.limit && last ? encodeQueuePosition({ rank: last.severity_rank, createdAt: last.created_at, id: last.id }) : null };
  }

  async function flagFor(actor: UserActor, reach: Reach, flagId: string): Promise<FlagRow> {
    const flag = await guard(findFlagWithinReach(db, actor.scope, reach, flagId));
    if (!flag) throw new AppError('not-found', `no flag ${flagId}`);
    return flag;
  }

  /** Consolidates what the sessions raised, in one transaction, and tells flag.raised per session after it. */
  async function consolidateRaised(scope: Scope, raised: Map<string, RaisedFlag[]>, from: 'analysis' | 'alerts'): Promise<Map<string, number>> {
    const tenant = scope.tenantId;
    if (tenant === null) return new Map(); // review is for a tenant's sessions
    const source = from === 'analysis' ? 'analysis' : 'alert';
    const sessions = [...raised].map(([sessionId, flags]) => ({
      sessionId,
      occurrences: flags.map((f) => occurrenceOf(f, source)).filter((o): o is NewOccurrence => o !== null),
    }));
    if (!sessions.some((s) => s.occurrences.length > 0)) return new Map();
    const ids = await inTransaction((trx) => consolidate(trx, tenant, sessions, newFlagId, clock()));
    const counts = new Map<string, number>();
    const told: { sessionId: string; flags: { id: string; kind: string; severity: string }[] }[] = [];
    for (const { sessionId, occurrences } of sessions) {
      const flagIds = ids.get(sessionId) ?? [];
      counts.set(sessionId, flagIds.length);
      if (flagIds.length === 0) continue;
      // consolidate returns one flag per kind, in the sorted order of the kinds.
      const kinds = [...new Set(occurrences.map((o) => o.kind))].sort();
      const flags = flagIds.map((id, i) => {
        const kind = kinds[i] ?? 'unknown';
        const severity = occurrences.filter((o) => o.kind === kind).reduce((a, o) => (o.severityRank > a.severityRank ? o : a)).severity;
        return { id, kind, severity };
      });
      told.push({ sessionId, flags });
    }
    // Told for every session at once: their subscribers' reads gather (webhooks reads the tenant's endpoints once for all).
    if (events) await Promise.all(told.map(({ sessionId, flags }) => events.publish('flag.raised', { scope, sessionId, flags })));
    return counts;
  }

  async function collectAlerts(scope: Scope, sessionIds: readonly string[]): Promise<Map<string, number>> {
    if (scope.tenantId === null || sessionIds.length === 0) return new Map();
    const counts = await sources.alertCounts(scope, [...new Set(sessionIds)]);
    const made = new Map<string, number>();
    // Sessions with no alert stored (another tenant's, or unknown) have nothing to consolidate.
    for (const step of inSteps([...counts.keys()], counts, alertsPerConsolidation)) {
      const alerts = await sources.alertsOf(scope, step);
      const raised = await consolidateRaised(scope, new Map(step.map((id) => [id, alerts.get(id) ?? []])), 'alerts');
      for (const [id, n] of raised) made.set(id, n);
    }
    return made;
  }

  return {
    async collect(scope, sessionId, from) {
      if (from === 'alerts') return (await collectAlerts(scope, [sessionId])).get(sessionId) ?? 0;
      if (scope.tenantId === null) return 0; // review is for a tenant's sessions
      const raised = await sources.analysisFlags(scope, sessionId);
      return (await consolidateRaised(scope, new Map([[sessionId, raised]]), 'analysis')).get(sessionId) ?? 0;
    },

    collectAlerts,

    // The queue leaves out the caller's own sessions: nobody reviews their own flags.
    queue: (actor, q) => page(actor, reachOf(actor), q, true),

    async sessionFlags(actor, sessionId, context) {
      const rows = await guard(listFlags(db, actor.scope, reachOf(actor), { sessionId, limit: 1000 }));
      const out = await details(tenantOf(actor), rows);
      await audit.record({
        tenantId: actor.tenantId,
        actor,
        action: 'session.flags.read',
        resource: { type: 'session', id: sessionId },
        context,
        detail: { flags: rows.length },
      });
      return out;
    },

    async ownFlags(actor, q) {
      const p = await page(actor, { listing: 'own', userId: actor.userId }, { ...q, state: q.state ?? 'all' });
      return { items: await details(tenantOf(actor), p.items), next: p.next };
    },

    async decide(actor, flagId, input, context) {
      if (actor.role !== 'admin' && actor.role !== 'teacher') throw new AppError('forbidden', `a ${actor.role} may not review flags`);
      const found = await flagFor(actor, reachOf(actor), flagId);
      // Nobody reviews the flags of their own session.
      if (await guard(findFlagWithinReach(db, actor.scope, { listing: 'own', userId: actor.userId }, flagId)))
        throw new AppError('forbidden', 'you may not review the flags of your own session');
      const tenant = tenantOf(actor);
      const flag = await inTransaction(async (trx) => {
        const locked = await lockFlag(trx, tenant, flagId);
        if (!locked) throw new AppError('not-found', `no flag ${flagId}`);
        const t = transition(
          { state: locked.state, severity: locked.severity, firstConfirmedBy: locked.first_confirmed_by },
          { decision: input.decision, reviewerId: actor.userId, reviewerRole: actor.role as 'admin' | 'teacher', note: input.note },
        );
        if (!t.ok) throw new AppError(t.code, t.detail, { state: locked.state });
        const now = clock();
        await setFlagState(trx, tenant, flagId, t.to, t.firstConfirmedBy, now);
        const decision = await insertDecision(trx, {
          id: randomUUID(),
          tenant_id: tenant,
          flag_id: flagId,
          reviewer_id: actor.userId,
          reviewer_role: actor.role,
          decision: input.decision,
          from_state: locked.state,
          to_state: t.to,
          note: input.note?.trim() || null,
          note_to_student: input.noteToStudent?.trim() || null,
          severity: locked.severity,
          occurrences: locked.occurrences,
          created_at: now,
        });
        await audit.record(
          {
            tenantId: tenant,
            actor,
            action: 'flag.decide',
            resource: { type: 'flag', id: flagId },
            context,
            detail: {
              sessionId: locked.session_id,
              kind: locked.kind,
              severity: locked.severity,
              decision: input.decision,
              from: locked.state,
              to: t.to,
              decisionId: decision.id,
            },
          },
          trx,
        );
        return {
          flag: {
            ...locked,
            attempt_id: found.attempt_id,
            state: t.to,
            first_confirmed_by: t.firstConfirmedBy,
            changed_since_decision: false,
            updated_at: now,
          },
          decisionId: decision.id,
          from: locked.state,
        };
      });
      await events?.publish('flag.reviewed', {
        scope: actor.scope,
        sessionId: flag.flag.session_id,
        flagId,
        kind: flag.flag.kind,
        decision: input.decision,
        from: flag.from,
        to: flag.flag.state,
        decisionId: flag.decisionId,
      });
      return (await details(tenant, [flag.flag]))[0]!;
    },

    async answer(actor, flagId, input, context) {
      if (actor.role !== 'student') throw new AppError('forbidden', 'only the student a flag is about answers it');
      // Only a flag about the student themselves: any other is not found.
      await flagFor(actor, { listing: 'own', userId: actor.userId }, flagId);
      const tenant = tenantOf(actor);
      return inTransaction(async (trx) => {
        const locked = await lockFlag(trx, tenant, flagId);
        if (!locked) throw new AppError('not-found', `no flag ${flagId}`);
        if ((await countAnswers(trx, tenant, flagId)) >= ANSWERS_PER_FLAG)
          throw new AppError('answer-limit', `a flag takes at most ${ANSWERS_PER_FLAG} answers`);
        const row = await insertAnswer(trx, {
          id: randomUUID(),
          tenant_id: tenant,
          flag_id: flagId,
          author_id: actor.userId,
          kind: input.kind,
          text: input.text.trim(),
          created_at: clock(),
        });
        await audit.record(
          {
            tenantId: tenant,
            actor,
            action: 'flag.answer',
            resource: { type: 'flag', id: flagId },
            context,
            detail: { sessionId: locked.session_id, kind: input.kind, answerId: row.id, state: locked.state },
          },
          trx,
        );
        return row;
      });
    },
  };
}
