import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { Scope } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';

export interface AnalysisRow {
  session_id: string;
  result: unknown;
  version: string;
  analyzed_at: Date;
}

/** Stores (or replaces) a session's whole analysis. */
export async function upsertAnalysis(db: Db, scope: Scope, row: { sessionId: string; result: unknown; version: string }): Promise<void> {
  await db
    .insertInto('analyses')
    .values({ session_id: row.sessionId, tenant_id: scope.tenantId, result: JSON.stringify(row.result), version: row.version })
    .onConflict((oc) => oc.column('session_id').doUpdateSet({ result: JSON.stringify(row.result), version: row.version, analyzed_at: sql`now()` as never }))
    .execute();
}

export async function findAnalysis(db: Db, scope: Scope, sessionId: string): Promise<AnalysisRow | undefined> {
  return db
    .selectFrom('analyses')
    .select(['session_id', 'result', 'version', 'analyzed_at'])
    .where('session_id', '=', sessionId)
    .where(inScope(scope))
    .executeTakeFirst();
}

/**
 * Ended sessions (ended since `since`) that have no analysis: what a worker re-enqueues on start,
 * in case a process died between ending a session and enqueueing its job. Across tenants: the
 * worker acts for the system and each job carries its session's scope.
 */
export async function listEndedWithoutAnalysis(db: Db, since: Date, limit: number): Promise<{ id: string; tenant_id: string | null }[]> {
  return db
    .selectFrom('sessions')
    .leftJoin('analyses', 'analyses.session_id', 'sessions.id')
    .select(['sessions.id', 'sessions.tenant_id'])
    .where('sessions.status', '=', 'ended')
    .where('sessions.ended_at', '>=', since)
    .where('analyses.session_id', 'is', null)
    .orderBy('sessions.ended_at')
    .limit(limit)
    .execute();
}

/** The headline of each stored analysis among these sessions: risk, integrity and how many flags, read in SQL (not the whole result). */
export async function listAnalysisSummaries(
  db: Db,
  scope: Scope,
  sessionIds: readonly string[],
): Promise<{ session_id: string; risk: string | null; integrity: number | null; flags: number }[]> {
  if (sessionIds.length === 0) return [];
  return db
    .selectFrom('analyses')
    .select([
      'session_id',
      sql<string | null>`result->'score'->>'risk'`.as('risk'),
      sql<number | null>`(result->'score'->>'integrity')::double precision`.as('integrity'),
      sql<number>`jsonb_array_length(result->'flags')`.as('flags'),
    ])
    .where('session_id', 'in', [...sessionIds])
    .where(inScope(scope))
    .execute();
}
