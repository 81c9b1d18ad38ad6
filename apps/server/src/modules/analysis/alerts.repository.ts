import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { Scope } from '../../kernel/scope';
import type { DomainEvents } from '../../kernel/events';
import { inScope } from '../../platform/db/scope-sql';

export interface NewAlert {
  sessionId: string;
  detector: string;
  severity: string;
  message: string;
  evidence: { seqFrom: number };
  values: unknown;
}

export interface AlertRow {
  id: string;
  session_id: string;
  detector: string;
  severity: string;
  message: string;
  evidence: unknown;
  values: unknown;
  created_at: Date;
}

/** A newly stored alert as alert.raised tells it (what an exam room shows), so no subscriber reads it back. */
export type StoredAlert = DomainEvents['alert.raised']['alerts'][number];

/** A newly stored alert, with the session it belongs to. */
export type StoredSessionAlert = StoredAlert & { sessionId: string };

/**
 * Stores alerts, of one or several sessions of the scope, in one statement; one already stored (same
 * session, detector and evidence.seqFrom) is skipped. Returns the new ones as stored.
 */
export async function insertAlerts(db: Db, scope: Scope, alerts: NewAlert[]): Promise<StoredSessionAlert[]> {
  if (alerts.length === 0) return [];
  const rows = await db
    .insertInto('alerts')
    .values(
      alerts.map((a) => ({
        id: randomUUID(),
        session_id: a.sessionId,
        tenant_id: scope.tenantId,
        detector: a.detector,
        severity: a.severity,
        message: a.message,
        seq_from: a.evidence.seqFrom,
        evidence: JSON.stringify(a.evidence),
        values: JSON.stringify(a.values),
      })),
    )
    .onConflict((oc) => oc.columns(['session_id', 'detector', 'seq_from']).doNothing())
    .returning(['id', 'session_id', 'detector', 'severity', 'message', 'created_at'])
    .execute();
  return rows.map((r) => ({
    sessionId: r.session_id,
    id: r.id,
    detector: r.detector,
    severity: r.severity,
    message: r.message,
    at: r.created_at.toISOString(),
  }));
}

/** A session's alerts in stream order. The caller has checked the session is in scope; the scope is applied again. */
export async function listAlerts(db: Db, scope: Scope, sessionId: string, limit: number): Promise<AlertRow[]> {
  return db
    .selectFrom('alerts')
    .select(['id', 'session_id', 'detector', 'severity', 'message', 'evidence', 'values', 'created_at'])
    .where('session_id', '=', sessionId)
    .where(inScope(scope))
    .orderBy('seq_from')
    .orderBy('created_at')
    .limit(limit)
    .execute();
}

/**
 * The alerts of several sessions of the scope, each session's first `limitEach` in stream order, in
 * one query: what review consolidates when many sessions raise alerts at once. A session out of the
 * scope (or unknown) has none.
 */
export async function listAlertsOfSessions(db: Db, scope: Scope, sessionIds: readonly string[], limitEach: number): Promise<AlertRow[]> {
  if (sessionIds.length === 0) return [];
  return db
    .selectFrom((eb) =>
      eb
        .selectFrom('alerts')
        .select(['id', 'session_id', 'detector', 'severity', 'message', 'evidence', 'values', 'created_at', 'seq_from'])
        .select(sql<number>`row_number() over (partition by session_id order by seq_from, created_at)`.as('n'))
        .where('session_id', '=', sql<string>`any(${[...sessionIds]}::text[])`)
        .where(inScope(scope))
        .as('a'),
    )
    .select(['id', 'session_id', 'detector', 'severity', 'message', 'evidence', 'values', 'created_at'])
    .where('n', '<=', limitEach)
    .orderBy('session_id')
    .orderBy('seq_from')
    .orderBy('created_at')
    .execute();
}

/** How many alerts each of several sessions of the scope has stored (sessions with none are left out). */
export async function countAlertsOfSessions(db: Db, scope: Scope, sessionIds: readonly string[]): Promise<Map<string, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('alerts')
    .select('session_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('session_id', '=', sql<string>`any(${[...sessionIds]}::text[])`)
    .where(inScope(scope))
    .groupBy('session_id')
    .execute();
  return new Map(rows.map((r) => [r.session_id, Number(r.n)]));
}
