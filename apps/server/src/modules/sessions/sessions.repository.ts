import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';
import { preparedMark } from '../../platform/db/prepared-statements';
import type { NewSession, SessionRow } from '../../platform/db/tables';

import type { Scope } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';
import { PUBLISHED_SOURCE, type ListPosition } from './session-list';
import { readableBy, type Reach } from '../grants';

/** Every read takes the tenant scope (kernel/scope.ts): a tenant's sessions are never reachable from another's. */

export async function insertSession(db: Db, row: NewSession): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function findSession(db: Db, scope: Scope, id: string): Promise<SessionRow | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).where(inScope(scope)).executeTakeFirst();
}

/** Several sessions of one scope in one query (those the scope cannot see are absent). */
export async function findSessions(db: Db, scope: Scope, ids: readonly string[]): Promise<SessionRow[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('id', '=', sql<string>`any(${[...ids]}::text[])`)
    .where(inScope(scope))
    .execute();
}

/**
 * The write path is capability based: the unguessable id plus the write token decide, and the
 * session's own tenant becomes the scope of what follows.
 */
export async function findSessionForWrite(db: Db, id: string): Promise<Pick<SessionRow, 'id' | 'tenant_id' | 'write_key' | 'status' | 'sealing'> | undefined> {
  return db.selectFrom('sessions').select(['id', 'tenant_id', 'write_key', 'status', 'sealing']).where('id', '=', id).executeTakeFirst();
}

/**
 * Where a session's chain stands (read without a lock): what the server seals an unsealed batch onto.
 * The commit re-checks it under the row lock, so a stale read only gets the batch refused.
 */
export async function findChainHead(db: Db, id: string): Promise<Pick<SessionRow, 'next_seq' | 'head_hash'> | undefined> {
  return db.selectFrom('sessions').select(['next_seq', 'head_hash']).where('id', '=', id).executeTakeFirst();
}

/**
 * Locks the rows of the given sessions (in id order, so concurrent groups never deadlock). One text
 * for any number of sessions (an array parameter, not a list in the text), so it runs as a prepared statement.
 * `for no key update`, the lock PostgreSQL's own update of non-key columns takes: it excludes other
 * ingest groups, ends and deletes, but not the key-share lock a row referencing the session takes
 * (an alert, a review flag), so a slow transaction writing such a row never holds ingest up.
 */
export async function lockSessionsForIngest(
  db: Db,
  ids: string[],
): Promise<(Pick<SessionRow, 'id' | 'tenant_id' | 'status' | 'next_seq' | 'head_hash' | 'last_t' | 'write_key' | 'held_count'> & { closed: boolean })[]> {
  if (ids.length === 0) return [];
  // An attempt's session (closes_at set) is closed past its deadline, and once ended (submitted, timed out).
  // held_count comes from the row's latest version (the one the lock was taken on), whatever the statement's snapshot.
  const { rows } = await sql<
    Pick<SessionRow, 'id' | 'tenant_id' | 'status' | 'next_seq' | 'head_hash' | 'last_t' | 'write_key' | 'held_count'> & { closed: boolean }
  >`${preparedMark('ingest-session-lock')}
    select id, tenant_id, status, next_seq, head_hash, last_t, write_key, held_count, closes_at is not null and (status = 'ended' or closes_at <= now()) as closed
    from sessions where id = any(${ids}::text[]) order by id for no key update`.execute(db);
  return rows;
}

export interface IngestProgress {
  id: string;
  next_seq: number;
  head_hash: string;
  last_t: number;
}

/** Advances many sessions' stored position in one statement. */
export async function advanceSessions(db: Db, rows: IngestProgress[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update sessions s set next_seq = v.next_seq, head_hash = v.head_hash, last_t = v.last_t
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id text, next_seq integer, head_hash text, last_t double precision)
    where s.id = v.id`.execute(db);
}

export async function endSession(db: Db, scope: Scope, id: string): Promise<SessionRow | undefined> {
  return db
    .updateTable('sessions')
    .set({ status: 'ended', ended_at: sql`coalesce(ended_at, now())` as never })
    .where('id', '=', id)
    .where(inScope(scope))
    .returningAll()
    .executeTakeFirst();
}

/** Replaces a session's write key (the SHA-256 of a new write token): the old token writes no more. */
export async function setWriteKey(db: Db, scope: Scope, id: string, writeKey: string): Promise<boolean> {
  const r = await db.updateTable('sessions').set({ write_key: writeKey }).where('id', '=', id).where(inScope(scope)).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export interface ListSessionsQuery {
  /** Whose sessions: 'published' (the demo source, for capability holders) or a person's or key's reach in their tenant. */
  reach: Reach;
  kind?: string;
  status?: 'active' | 'ended';
  /** Rows strictly after this position (newest first). */
  after?: ListPosition;
  limit: number;
}

/** A session row with its creation time as stored (µs), for the next page's cursor. */
export type ListedSessionRow = SessionRow & { created_at_exact: string };

/** Sessions in the scope, newest first (creation time, then id), a page at a time. */
export async function listSessions(db: Db, scope: Scope, q: ListSessionsQuery): Promise<ListedSessionRow[]> {
  let query = db
    .selectFrom('sessions')
    .selectAll()
    .select(sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('created_at_exact'))
    .where(inScope(scope));
  query = q.reach.listing === 'published' ? query.where('source', '=', PUBLISHED_SOURCE) : query.where(readableBy(scope, q.reach));
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.after) query = query.where(sql<boolean>`(created_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id})`);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

export async function listSessionsBySource(db: Db, scope: Scope, source: string, limit: number): Promise<SessionRow[]> {
  return db.selectFrom('sessions').selectAll().where('source', '=', source).where(inScope(scope)).orderBy('created_at', 'desc').limit(limit).execute();
}

/** Locks one session row for a bundle import; what decides whether the stored session is the same bundle. */
export async function lockSessionForImport(
  db: Db,
  id: string,
): Promise<Pick<SessionRow, 'id' | 'next_seq' | 'head_hash' | 'tenant_id' | 'owner_id' | 'write_key'> | undefined> {
  return db
    .selectFrom('sessions')
    .select(['id', 'next_seq', 'head_hash', 'tenant_id', 'owner_id', 'write_key'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Deletes a session of the scope and, by the foreign keys' cascade, everything of it: events,
 * batches, held batches, its analysis, alerts and share links. Answers what was deleted, or nothing.
 */
export async function deleteSession(
  db: Db,
  scope: Scope,
  id: string,
): Promise<Pick<SessionRow, 'id' | 'tenant_id' | 'next_seq' | 'kind' | 'source'> | undefined> {
  return db.deleteFrom('sessions').where('id', '=', id).where(inScope(scope)).returning(['id', 'tenant_id', 'next_seq', 'kind', 'source']).executeTakeFirst();
}
