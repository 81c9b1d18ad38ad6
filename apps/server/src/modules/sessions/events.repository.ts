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

/** The events with seq in [from, to), only the given types when given, in seq order; none when the session is outside the scope. */
export async function listEventsInRange(db: Db, scope: Scope, sessionId: string, from: number, to: number, types?: readonly string[]): Promise<VeritasEvent[]> {
  let q = db
    .selectFrom('events')
    .select(['seq', 't', 'type', 'data'])
    .where('session_id', '=', (eb) => eb.selectFrom('sessions').select('id').where('id', '=', sessionId).where(inScope(scope)))
    .where('seq', '>=', from)
    .where('seq', '<', to);
  if (types && types.length > 0) q = q.where('type', 'in', [...types]);
  const rows = await q.orderBy('seq').execute();
  return rows as VeritasEvent[];
}

/** The lowest and highest seq a session holds (null when it holds none or is outside the scope). */
export async function seqBounds(db: Db, scope: Scope, sessionId: string): Promise<{ first: number; last: number } | null> {
  const row = await db
    .selectFrom('events')
    .select([(eb) => eb.fn.min<number>('seq').as('first'), (eb) => eb.fn.max<number>('seq').as('last')])
    .where('session_id', '=', (eb) => eb.selectFrom('sessions').select('id').where('id', '=', sessionId).where(inScope(scope)))
    .executeTakeFirst();
  return row && row.first !== null && row.last !== null ? { first: Number(row.first), last: Number(row.last) } : null;
}

/**
 * A session's events from `first` to `last` (seqs as seqBounds read them), in windows of `window`
 * seqs, in seq order, with the next window's query in flight while the caller works on the current
 * one. A window bounded on both sides is one short range scan of the primary key whatever the
 * planner believes about the table (a `seq > after … limit n` page on a table whose statistics are
 * stale was planned as a scan of the rest of the session, sorted, per page: 47 ms instead of 0.5 ms
 * for 1,000 rows of a 400,000-event session). A window is the caller's only until it asks for the
 * next one: it is emptied then.
 */
export async function* eventWindows(
  db: Db,
  scope: Scope,
  sessionId: string,
  { first, last }: { first: number; last: number },
  window: number,
  types?: readonly string[],
): AsyncGenerator<VeritasEvent[]> {
  const read = (from: number) => {
    const p = listEventsInRange(db, scope, sessionId, from, from + window, types);
    // If the caller stops early, a failure of the window read ahead is nobody's to report.
    p.catch(() => undefined);
    return p;
  };
  for (let from = first, next = read(from); ;) {
    const page = await next;
    from += window;
    const more = from <= last;
    if (more) next = read(from);
    if (page.length > 0) {
      yield page;
      // Emptied once the caller asks for the next window, so the caller must not keep the array
      // (its events stay valid). Why: read through Kysely on pg, a used result array stayed
      // reachable from the old generation until a full collection, so a window left holding its
      // rows made every row survive the young generation and fill the old one (measured: nearly
      // all rows promoted, ~3 MB per 20,000 read; none once emptied; bench/README.md).
      page.length = 0;
    }
    if (!more) return;
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
