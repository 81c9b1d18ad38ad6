import { sql, type Kysely } from 'kysely';
import type { DB, LegalHoldsTable, RetentionPoliciesTable } from '../../platform/db/tables';
import type { Selectable } from 'kysely';

export type PolicyRow = Selectable<RetentionPoliciesTable>;
export type HoldRow = Selectable<LegalHoldsTable>;
export type Purge = 'raw' | 'analysis';

export const policyOf = (db: Kysely<DB>, tenantId: string) =>
  db.selectFrom('retention_policies').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();

export const allPolicies = (db: Kysely<DB>) =>
  db
    .selectFrom('retention_policies')
    .selectAll()
    .where((w) => w.or([w('raw_days', 'is not', null), w('analysis_days', 'is not', null), w('audit_days', 'is not', null)]))
    .orderBy('tenant_id')
    .execute();

export async function upsertPolicy(db: Kysely<DB>, row: Omit<PolicyRow, 'updated_at' | 'audit_days'> & { audit_days?: number | null }): Promise<PolicyRow> {
  return db
    .insertInto('retention_policies')
    .values({ ...row, updated_at: new Date() })
    .onConflict((oc) =>
      oc.column('tenant_id').doUpdateSet({
        raw_days: row.raw_days,
        analysis_days: row.analysis_days,
        audit_days: row.audit_days ?? null,
        updated_by: row.updated_by,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const insertHold = (db: Kysely<DB>, row: Omit<HoldRow, 'created_at' | 'lifted_by' | 'lifted_at'>) =>
  db.insertInto('legal_holds').values(row).returningAll().executeTakeFirstOrThrow();

export const holdsOf = (db: Kysely<DB>, tenantId: string, active: boolean) =>
  db
    .selectFrom('legal_holds')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .$if(active, (q) => q.where('lifted_at', 'is', null))
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(1000)
    .execute();

export const liftHold = (db: Kysely<DB>, tenantId: string, id: string, by: string) =>
  db
    .updateTable('legal_holds')
    .set({ lifted_by: by, lifted_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('lifted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();

export const holdById = (db: Kysely<DB>, tenantId: string, id: string) =>
  db.selectFrom('legal_holds').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();

/** Whether the subject (of this tenant) exists: a hold names something real. */
export async function subjectExists(db: Kysely<DB>, tenantId: string, kind: HoldRow['subject_kind'], id: string): Promise<boolean> {
  const table = kind === 'session' ? 'sessions' : kind === 'attempt' ? 'attempts' : 'users';
  const row = await db.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export interface Expired {
  sessionId: string;
  endedAt: Date;
  headHash: string;
}

/**
 * A tenant's ended sessions whose data of this kind expired before `cutoff`, not purged yet, and
 * under no active hold: not on the session, not on an attempt taken in it, not on its owner, not
 * on the student of an attempt taken in it. One query, so a hold and the purge it forbids cannot
 * be read apart.
 */
export async function expiredSessions(db: Kysely<DB>, tenantId: string, what: Purge, cutoff: Date, limit: number, onlySession?: string): Promise<Expired[]> {
  const rows = await sql<{ id: string; ended_at: Date; head_hash: string }>`
    select s.id, s.ended_at, s.head_hash
      from sessions s
     where s.tenant_id = ${tenantId}
       and (${onlySession ?? null}::text is null or s.id = ${onlySession ?? null})
       and s.status = 'ended'
       and s.ended_at < ${cutoff}
       and not exists (select 1 from retention_tombstones t where t.session_id = s.id and t.what = ${what})
       and not exists (
         select 1 from legal_holds h
          where h.tenant_id = s.tenant_id and h.lifted_at is null
            and (   (h.subject_kind = 'session' and h.subject_id = s.id)
                 or (h.subject_kind = 'person' and h.subject_id = s.owner_id)
                 or exists (select 1 from attempts a
                             where a.session_id = s.id
                               and (   (h.subject_kind = 'attempt' and h.subject_id = a.id)
                                    or (h.subject_kind = 'person' and h.subject_id = a.student_id)))))
     order by s.ended_at, s.id
     limit ${limit}`.execute(db);
  return rows.rows.map((r) => ({ sessionId: r.id, endedAt: new Date(r.ended_at), headHash: r.head_hash }));
}

/** No hold is placed or lifted, and no other purge runs, until this transaction ends. */
export async function lockHolds(trx: Kysely<DB>): Promise<void> {
  await sql`lock table legal_holds in share row exclusive mode`.execute(trx);
}

/** Deletes a session's raw data; the count of rows that went. */
export async function purgeRaw(trx: Kysely<DB>, sessionId: string): Promise<number> {
  let rows = 0;
  for (const table of ['events', 'batches', 'held_batches', 'share_links', 'live_tickets'] as const) {
    const r = await trx.deleteFrom(table).where('session_id', '=', sessionId).executeTakeFirst();
    rows += Number(r.numDeletedRows);
  }
  return rows;
}

/** Deletes a session's analysis result (the report's source); alerts stay with the review decisions made on them. */
export async function purgeAnalysis(trx: Kysely<DB>, sessionId: string): Promise<number> {
  const r = await trx.deleteFrom('analyses').where('session_id', '=', sessionId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export const insertTombstone = (
  trx: Kysely<DB>,
  row: { id: string; tenant_id: string; session_id: string; what: Purge; rows: number; head_hash: string | null; policy_days: number },
) => trx.insertInto('retention_tombstones').values(row).execute();

export const tombstonesOf = (db: Kysely<DB>, sessionId: string) =>
  db.selectFrom('retention_tombstones').selectAll().where('session_id', '=', sessionId).orderBy('what').execute();
