import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { VeritasEvent } from '@veritas/schema';
import type { Scope } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';

export interface EventRow {
  session_id: string;
  seq: number;
  t: number;
  type: string;
  data: unknown;
}

/**
 * Inserts many events in one statement. A JSON document expanded by jsonb_to_recordset keeps it
 * one parameter whatever the row count, on PGlite and PostgreSQL alike. A row already stored is
 * skipped: (session_id, seq) is unique and never stored twice.
 */
export async function insertEvents(db: Db, rows: EventRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const r = await sql`
    insert into events (session_id, seq, t, type, data)
    select session_id, seq, t, type, data
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(session_id text, seq integer, t double precision, type text, data jsonb)
    on conflict (session_id, seq) do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** A page of a session's events after a seq (only the given types, when given); none when the session is outside the scope. */
export async function listEvents(db: Db, scope: Scope, sessionId: string, afterSeq: number, limit: number, types?: readonly string[]): Promise<VeritasEvent[]> {
  let q = db
    .selectFrom('events')
    .select(['seq', 't', 'type', 'data'])
    .where('session_id', '=', (eb) => eb.selectFrom('sessions').select('id').where('id', '=', sessionId).where(inScope(scope)))
    .where('seq', '>', afterSeq);
  if (types && types.length > 0) q = q.where('type', 'in', [...types]);
  const rows = await q.orderBy('seq').limit(limit).execute();
  return rows as VeritasEvent[];
}

/**
 * A session's events after `afterSeq`, a page at a time, in seq order: how every reader of a whole
 * session (export, analysis, a live analyser catching up) walks it without holding it in memory.
 */
export async function* eventPages(
  db: Db,
  scope: Scope,
  sessionId: string,
  afterSeq = -1,
  pageSize = 10_000,
  types?: readonly string[],
): AsyncGenerator<VeritasEvent[]> {
  for (let after = afterSeq; ;) {
    const page = await listEvents(db, scope, sessionId, after, pageSize, types);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.seq;
  }
}

/** How many events of each type a session holds (none when it is outside the scope). */
export async function countEventsByType(db: Db, scope: Scope, sessionId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('events')
    .select(['type', (eb) => eb.fn.countAll<number>().as('n')])
    .where('session_id', '=', (eb) => eb.selectFrom('sessions').select('id').where('id', '=', sessionId).where(inScope(scope)))
    .groupBy('type')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.type, Number(r.n)]));
}
