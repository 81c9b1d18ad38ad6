import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { CertificatesTable } from '../../platform/db/tables';
import type { Scope } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';

export type CertificateRow = Selectable<CertificatesTable>;

/** Stores a certificate unless one for this session and analysis version is already stored (then nothing). */
export async function insertCertificate(db: Db, row: Insertable<CertificatesTable>): Promise<void> {
  await db
    .insertInto('certificates')
    .values(row)
    .onConflict((oc) => oc.columns(['session_id', 'analysis_version']).doNothing())
    .execute();
}

export async function findCertificateFor(db: Db, scope: Scope, sessionId: string, analysisVersion: string): Promise<CertificateRow | undefined> {
  return db
    .selectFrom('certificates')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('analysis_version', '=', analysisVersion)
    .where(inScope(scope))
    .executeTakeFirst();
}

/** A session's newest certificate (of the scope). */
export async function latestCertificate(db: Db, scope: Scope, sessionId: string): Promise<CertificateRow | undefined> {
  return db
    .selectFrom('certificates')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where(inScope(scope))
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Revokes every certificate of the session not yet revoked; returns those it revoked. */
export async function revokeCertificates(db: Db, scope: Scope, sessionId: string, by: string | null, reason: string): Promise<CertificateRow[]> {
  return db
    .updateTable('certificates')
    .set({ revoked_at: sql`now()` as never, revoked_by: by, revoke_reason: reason })
    .where('session_id', '=', sessionId)
    .where(inScope(scope))
    .where('revoked_at', 'is', null)
    .returningAll()
    .execute();
}

/**
 * Revoked certificates across tenants, in the order they were revoked (after a position): the public
 * revocation list. Only ids and times: a public session's id is its read capability.
 */
export async function listRevoked(
  db: Db,
  after: { at: string; id: string } | undefined,
  limit: number,
): Promise<{ id: string; revoked_at: Date; at: string }[]> {
  let q = db
    .selectFrom('certificates')
    .select(['id', 'revoked_at', sql<string>`to_char(revoked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('at')])
    .where('revoked_at', 'is not', null);
  if (after) q = q.where(sql<boolean>`(revoked_at, id) > (${after.at}::timestamptz, ${after.id})`);
  const rows = await q.orderBy('revoked_at').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, revoked_at: r.revoked_at!, at: r.at }));
}
