import { sql, type Kysely } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { DB, ReviewState } from '../../platform/db/tables';
import type { Scope, TenantId } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';
import { readableBy, type Reach } from '../grants';

export interface FlagRow {
  id: string;
  tenant_id: string;
  session_id: string;
  kind: string;
  severity: string;
  severity_rank: number;
  state: ReviewState;
  message: string;
  occurrences: number;
  first_t: number;
  last_t: number;
  first_confirmed_by: string | null;
  changed_since_decision: boolean;
  created_at: Date;
  updated_at: Date;
  /** The exam attempt the flag's session records, if it is one (the review pages link to the attempt). */
  attempt_id: string | null;
}

/** A flag row as locked for a decision or an answer (the attempt is not read under the lock). */
export type LockedFlagRow = Omit<FlagRow, 'attempt_id'>;

export interface OccurrenceRow {
  flag_id: string;
  seq_from: number;
  seq_to: number;
  t_from: number;
  t_to: number;
  severity: string;
  message: string;
  evidence: unknown;
  values: unknown;
  source: string;
}

export interface DecisionRow {
  id: string;
  flag_id: string;
  reviewer_id: string;
  reviewer_role: string;
  decision: string;
  from_state: string;
  to_state: string;
  note: string | null;
  note_to_student: string | null;
  severity: string;
  occurrences: number;
  created_at: Date;
}

export interface AnswerRow {
  id: string;
  flag_id: string;
  author_id: string;
  kind: 'explanation' | 'appeal';
  text: string;
  created_at: Date;
}

export interface NewOccurrence {
  kind: string;
  seqFrom: number;
  seqTo: number;
  tFrom: number;
  tTo: number;
  severity: string;
  severityRank: number;
  message: string;
  evidence: unknown;
  values: unknown;
  source: 'alert' | 'analysis';
}

const FLAG_COLUMNS = [
  'review_flags.id',
  'review_flags.tenant_id',
  'review_flags.session_id',
  'review_flags.kind',
  'review_flags.severity',
  'review_flags.severity_rank',
  'review_flags.state',
  'review_flags.message',
  'review_flags.occurrences',
  'review_flags.first_t',
  'review_flags.last_t',
  'review_flags.first_confirmed_by',
  'review_flags.changed_since_decision',
  'review_flags.created_at',
  'review_flags.updated_at',
] as const;

/** The attempt whose session the flag is about (attempts.session_id is indexed: step 0010-dashboards). */
const ATTEMPT_OF_FLAG = sql<
  string | null
>`(select attempts.id from attempts where attempts.session_id = review_flags.session_id and attempts.tenant_id = review_flags.tenant_id limit 1)`.as(
  'attempt_id',
);

/** What one session raised, to be consolidated into its flags. */
export interface SessionOccurrences {
  sessionId: string;
  occurrences: NewOccurrence[];
}

/** Rows per statement: well under PostgreSQL's 65,535 parameters at 12 columns a row. */
const ROWS_PER_STATEMENT = 500;

/**
 * Consolidates occurrences into their sessions' flags, one per session and kind, in the caller's
 * transaction, a statement per table for all the sessions given (an exam's violations come from every
 * student within seconds; one transaction each queued hundreds in front of ingest: bench/README.md,
 * live). Each flag row is upserted first, in (session, kind) order, which locks it: a concurrent
 * consolidation of the same sessions waits, taking the rows in the same order (no deadlock), and the
 * counts below see every occurrence committed before. A flag's review state is never touched here.
 * Each session is given once. Returns each session's flag ids in the sorted order of its kinds.
 */
export async function consolidate(
  trx: Kysely<DB>,
  tenant: TenantId,
  sessions: SessionOccurrences[],
  newId: () => string,
  now: Date,
): Promise<Map<string, string[]>> {
  const ordered = sessions.filter((s) => s.occurrences.length > 0).sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const flagRows = ordered.flatMap(({ sessionId, occurrences }) =>
    [...new Set(occurrences.map((o) => o.kind))].sort().map((kind) => {
      const first = occurrences.find((o) => o.kind === kind)!;
      return {
        id: newId(),
        tenant_id: tenant,
        session_id: sessionId,
        kind,
        severity: first.severity,
        severity_rank: first.severityRank,
        message: first.message,
        created_at: now,
        updated_at: now,
      };
    }),
  );
  const idOf = new Map<string, string>();
  const key = (sessionId: string, kind: string) => `${sessionId}\u0000${kind}`;
  for (let i = 0; i < flagRows.length; i += ROWS_PER_STATEMENT) {
    const rows = await trx
      .insertInto('review_flags')
      .values(flagRows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) => oc.columns(['session_id', 'kind']).doUpdateSet({ updated_at: now }))
      .returning(['id', 'session_id', 'kind'])
      .execute();
    for (const r of rows) idOf.set(key(r.session_id, r.kind), r.id);
  }
  if (idOf.size === 0) return new Map();
  const occurrenceRows = ordered.flatMap(({ sessionId, occurrences }) =>
    occurrences.map((o) => ({
      flag_id: idOf.get(key(sessionId, o.kind))!,
      tenant_id: tenant,
      seq_from: o.seqFrom,
      seq_to: o.seqTo,
      t_from: o.tFrom,
      t_to: o.tTo,
      severity: o.severity,
      severity_rank: o.severityRank,
      message: o.message,
      evidence: JSON.stringify(o.evidence),
      values: JSON.stringify(o.values ?? {}),
      source: o.source,
    })),
  );
  // The same stretch told by a live alert and then by the analysis is one occurrence: the analysis's wording wins.
  const fromAnalysis = sql<boolean>`excluded.source = 'analysis'`;
  const pick = (col: string) => sql`case when ${fromAnalysis} then excluded.${sql.ref(col)} else review_occurrences.${sql.ref(col)} end`;
  for (let i = 0; i < occurrenceRows.length; i += ROWS_PER_STATEMENT) {
    await trx
      .insertInto('review_occurrences')
      .values(occurrenceRows.slice(i, i + ROWS_PER_STATEMENT))
      .onConflict((oc) =>
        oc.columns(['flag_id', 'seq_from']).doUpdateSet({
          severity_rank: sql`greatest(review_occurrences.severity_rank, excluded.severity_rank)`,
          severity: sql`case when excluded.severity_rank > review_occurrences.severity_rank then excluded.severity else review_occurrences.severity end`,
          seq_to: pick('seq_to') as never,
          t_to: pick('t_to') as never,
          message: pick('message') as never,
          evidence: pick('evidence') as never,
          values: pick('values') as never,
          source: pick('source') as never,
        }),
      )
      .execute();
  }
  const flagIds = [...idOf.values()];
  await sql`
    update review_flags f set
      occurrences = a.n,
      first_t = a.ft,
      last_t = a.lt,
      severity_rank = a.r,
      severity = case a.r when 3 then 'high' when 2 then 'medium' else 'low' end,
      message = (select o.message from review_occurrences o where o.flag_id = f.id order by o.severity_rank desc, o.seq_from desc limit 1),
      changed_since_decision = f.changed_since_decision
        or ((a.n <> f.occurrences or a.r > f.severity_rank) and exists (select 1 from review_decisions d where d.flag_id = f.id)),
      updated_at = ${now}
    from (
      select flag_id, count(*)::int as n, min(t_from) as ft, max(t_to) as lt, max(severity_rank) as r
      from review_occurrences where flag_id = any(${flagIds}::text[]) group by flag_id
    ) a
    where f.id = a.flag_id and f.tenant_id = ${tenant}`.execute(trx);
  const bySession = new Map<string, string[]>();
  for (const r of flagRows) {
    const list = bySession.get(r.session_id) ?? bySession.set(r.session_id, []).get(r.session_id)!;
    list.push(idOf.get(key(r.session_id, r.kind))!);
  }
  return bySession;
}

/** The sessions of the scope within the reach (modules/grants' one rule), as a subquery on their ids. */
const reachable = (scope: Scope, reach: Reach) => (db: Kysely<DB>) =>
  db.selectFrom('sessions').select('sessions.id').where(inScope(scope)).where(readableBy(scope, reach));

/** A flag of the tenant whose session is within the reach; undefined otherwise (another tenant's, another class's, unknown). */
export async function findFlagWithinReach(db: Db, scope: Scope, reach: Reach, flagId: string): Promise<FlagRow | undefined> {
  if (scope.tenantId === null) return undefined;
  return db
    .selectFrom('review_flags')
    .select(FLAG_COLUMNS)
    .select(ATTEMPT_OF_FLAG)
    .where('review_flags.id', '=', flagId)
    .where('review_flags.tenant_id', '=', scope.tenantId)
    .where('review_flags.session_id', 'in', reachable(scope, reach)(db))
    .executeTakeFirst() as Promise<FlagRow | undefined>;
}

/** A flag locked until the transaction ends (a decision or an answer). */
export async function lockFlag(trx: Kysely<DB>, tenant: TenantId, flagId: string): Promise<LockedFlagRow | undefined> {
  return trx.selectFrom('review_flags').select(FLAG_COLUMNS).where('id', '=', flagId).where('tenant_id', '=', tenant).forUpdate().executeTakeFirst() as Promise<
    LockedFlagRow | undefined
  >;
}

export async function setFlagState(
  trx: Kysely<DB>,
  tenant: TenantId,
  flagId: string,
  state: ReviewState,
  firstConfirmedBy: string | null,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('review_flags')
    .set({ state, first_confirmed_by: firstConfirmedBy, changed_since_decision: false, updated_at: now })
    .where('id', '=', flagId)
    .where('tenant_id', '=', tenant)
    .execute();
}

/** Where a page sorted by severity (highest first), then age (oldest first), then id starts. */
export interface QueuePosition {
  rank: number;
  createdAt: Date;
  id: string;
}

export interface FlagQuery {
  states?: readonly ReviewState[];
  severity?: string;
  sessionId?: string;
  /** With `states`: the flags changed since their decision too. */
  withChanged?: boolean;
  /** Leaves out the flags of this person's own sessions (nobody reviews their own). */
  notOwnedBy?: string;
  after?: QueuePosition;
  limit: number;
}

/** The flags of the sessions within the reach, by severity then age, a page at a time. */
export async function listFlags(db: Db, scope: Scope, reach: Reach, q: FlagQuery): Promise<FlagRow[]> {
  if (scope.tenantId === null) return [];
  let query = db
    .selectFrom('review_flags')
    .select(FLAG_COLUMNS)
    .select(ATTEMPT_OF_FLAG)
    .where('review_flags.tenant_id', '=', scope.tenantId)
    .where('review_flags.session_id', 'in', reachable(scope, reach)(db));
  if (q.sessionId !== undefined) query = query.where('review_flags.session_id', '=', q.sessionId);
  if (q.notOwnedBy !== undefined)
    query = query.where(
      'review_flags.session_id',
      'not in',
      db
        .selectFrom('sessions')
        .select('sessions.id')
        .where(inScope(scope))
        .where('sessions.owner_kind', '=', 'user')
        .where('sessions.owner_id', '=', q.notOwnedBy),
    );
  if (q.states) {
    const states = q.states;
    // A decided flag that changed since is waiting again, whatever its state.
    query = q.withChanged
      ? query.where((eb) => eb.or([eb('review_flags.state', 'in', states), eb('review_flags.changed_since_decision', '=', true)]))
      : query.where('review_flags.state', 'in', states);
  }
  if (q.severity !== undefined) query = query.where('review_flags.severity', '=', q.severity);
  if (q.after) {
    const a = q.after;
    query = query.where(
      sql<boolean>`(review_flags.severity_rank < ${a.rank} or (review_flags.severity_rank = ${a.rank} and (review_flags.created_at, review_flags.id) > (${a.createdAt}, ${a.id})))`,
    );
  }
  return query.orderBy('review_flags.severity_rank', 'desc').orderBy('review_flags.created_at').orderBy('review_flags.id').limit(q.limit).execute() as Promise<
    FlagRow[]
  >;
}

/** The first `perFlag` occurrences of each flag, in stream order. */
export async function listOccurrences(db: Db, tenant: TenantId, flagIds: readonly string[], perFlag: number): Promise<OccurrenceRow[]> {
  if (flagIds.length === 0) return [];
  const ranked = db
    .selectFrom('review_occurrences')
    .select(['flag_id', 'seq_from', 'seq_to', 't_from', 't_to', 'severity', 'message', 'evidence', 'values', 'source'])
    .select(sql<number>`row_number() over (partition by flag_id order by seq_from)`.as('n'))
    .where('tenant_id', '=', tenant)
    .where('flag_id', 'in', [...flagIds])
    .as('r');
  return db
    .selectFrom(ranked)
    .select(['flag_id', 'seq_from', 'seq_to', 't_from', 't_to', 'severity', 'message', 'evidence', 'values', 'source'])
    .where('n', '<=', perFlag)
    .orderBy('flag_id')
    .orderBy('seq_from')
    .execute();
}

export async function listDecisions(db: Db, tenant: TenantId, flagIds: readonly string[]): Promise<DecisionRow[]> {
  if (flagIds.length === 0) return [];
  return db
    .selectFrom('review_decisions')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('flag_id', 'in', [...flagIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function listAnswers(db: Db, tenant: TenantId, flagIds: readonly string[]): Promise<AnswerRow[]> {
  if (flagIds.length === 0) return [];
  return db
    .selectFrom('review_answers')
    .select(['id', 'flag_id', 'author_id', 'kind', 'text', 'created_at'])
    .where('tenant_id', '=', tenant)
    .where('flag_id', 'in', [...flagIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function insertDecision(trx: Kysely<DB>, row: DecisionRow & { tenant_id: string }): Promise<DecisionRow> {
  await trx.insertInto('review_decisions').values(row).execute();
  return row;
}

export async function countAnswers(trx: Kysely<DB>, tenant: TenantId, flagId: string): Promise<number> {
  const r = await trx
    .selectFrom('review_answers')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('tenant_id', '=', tenant)
    .where('flag_id', '=', flagId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertAnswer(trx: Kysely<DB>, row: AnswerRow & { tenant_id: string }): Promise<AnswerRow> {
  await trx.insertInto('review_answers').values(row).execute();
  return row;
}
