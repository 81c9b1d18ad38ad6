import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { Db } from '../../platform/db/database';
import { preparedMark } from '../../platform/db/prepared-statements';
import type { BatchesTable } from '../../platform/db/tables';
import type { Scope } from '../../kernel/scope';
import { inScope } from '../../platform/db/scope-sql';
import type { EventRow } from './events.repository';

/** A batch as ingest writes it (the database stamps received_at). */
export type BatchRow = Omit<Selectable<BatchesTable>, 'received_at'>;

export interface HeldBatchRow extends BatchRow {
  events: unknown[];
}

export async function insertBatches(db: Db, rows: BatchRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into batches (session_id, first_seq, count, prev_hash, hash, mac)
    select session_id, first_seq, count, prev_hash, hash, mac
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(session_id text, first_seq integer, count integer, prev_hash text, hash text, mac text)
    on conflict (session_id, first_seq) do nothing`.execute(db);
}

export interface ChainPosition {
  id: string;
  next_seq: number;
  head_hash: string;
  last_t: number;
}

/**
 * Stores what one ingest group appended, in one statement (one round trip): the events, their
 * batches, and each session's new chain position. Data-modifying CTEs run once whether or not the
 * outer statement reads them; any error (a refused event) fails the whole statement.
 *
 * Events go in as parallel arrays expanded by unnest, with no ON CONFLICT: measured on PostgreSQL 15,
 * that costs the server process about as much CPU per row as COPY (3.4 µs against 3.2–3.6), where
 * jsonb_to_recordset with ON CONFLICT DO NOTHING cost 5.7–7.0. Ingest appends only seqs at or above
 * the session's locked next_seq, so a stored (session_id, seq) is never offered again; were it
 * offered, the unique key refuses the statement rather than storing it twice.
 *
 * The events' data is one JSON array (one JSON.stringify of them all), zipped with the other arrays by
 * set-returning functions in the select list, rather than a jsonb[]: pg writes an array literal by
 * quoting and escaping every element, which cost this process 7.1–8.5 µs per event against 4.8–5.5
 * for the joined text, with no measurable difference in the backend (bench/ingest/insert-forms.ts).
 */
export async function appendToChains(db: Db, events: EventRow[], batches: BatchRow[], positions: ChainPosition[]): Promise<void> {
  if (events.length === 0 && batches.length === 0 && positions.length === 0) return;
  const sessionIds: string[] = new Array(events.length);
  const seqs: number[] = new Array(events.length);
  const ts: number[] = new Array(events.length);
  const types: string[] = new Array(events.length);
  events.forEach((e, i) => {
    sessionIds[i] = e.session_id;
    seqs[i] = e.seq;
    ts[i] = e.t;
    types[i] = e.type;
  });
  await sql`${preparedMark('ingest-append')}
    with appended_events as (
      insert into events (session_id, seq, t, type, data)
      select unnest(${sessionIds}::text[]), unnest(${seqs}::integer[]), unnest(${ts}::double precision[]), unnest(${types}::text[]),
        jsonb_array_elements(${JSON.stringify(events.map((e) => e.data))}::jsonb)
    ), appended_batches as (
      insert into batches (session_id, first_seq, count, prev_hash, hash, mac)
      select session_id, first_seq, count, prev_hash, hash, mac
      from jsonb_to_recordset(${JSON.stringify(batches)}::jsonb) as x(session_id text, first_seq integer, count integer, prev_hash text, hash text, mac text)
      on conflict (session_id, first_seq) do nothing
    )
    update sessions s set next_seq = v.next_seq, head_hash = v.head_hash, last_t = v.last_t
    from jsonb_to_recordset(${JSON.stringify(positions)}::jsonb) as v(id text, next_seq integer, head_hash text, last_t double precision)
    where s.id = v.id`.execute(db);
}

/** The stored batch that starts at firstSeq, to tell a retry (same hash) from a conflict. */
export async function findBatchHash(db: Db, sessionId: string, firstSeq: number): Promise<string | undefined> {
  const row = await db.selectFrom('batches').select('hash').where('session_id', '=', sessionId).where('first_seq', '=', firstSeq).executeTakeFirst();
  return row?.hash;
}

/** The prevHash of the stored batch that starts at firstSeq: what a retried unsealed batch is sealed onto again. */
export async function findBatchPrevHash(db: Db, sessionId: string, firstSeq: number): Promise<string | undefined> {
  const row = await db.selectFrom('batches').select('prev_hash').where('session_id', '=', sessionId).where('first_seq', '=', firstSeq).executeTakeFirst();
  return row?.prev_hash;
}

/** All batches of a session in order, for the bundle; none when the session is outside the scope. */
export async function listBatches(db: Db, scope: Scope, sessionId: string): Promise<BatchRow[]> {
  return db
    .selectFrom('batches')
    .select(['session_id', 'first_seq', 'count', 'prev_hash', 'hash', 'mac'])
    .where('session_id', '=', (eb) => eb.selectFrom('sessions').select('id').where('id', '=', sessionId).where(inScope(scope)))
    .orderBy('first_seq')
    .execute();
}

export async function insertHeldBatch(db: Db, row: HeldBatchRow): Promise<void> {
  await db
    .insertInto('held_batches')
    .values({ ...row, events: JSON.stringify(row.events) })
    .onConflict((oc) => oc.columns(['session_id', 'first_seq']).doNothing())
    .execute();
}

export async function deleteHeldBatches(db: Db, sessionId: string, firstSeqs: number[]): Promise<void> {
  if (firstSeqs.length === 0) return;
  await db.deleteFrom('held_batches').where('session_id', '=', sessionId).where('first_seq', 'in', firstSeqs).execute();
}

/** Every held batch of the given sessions: few by design (bounded by the seq window). One text for any number of sessions: a prepared statement. */
export async function listHeldBatches(db: Db, sessionIds: string[]): Promise<HeldBatchRow[]> {
  if (sessionIds.length === 0) return [];
  const { rows } = await sql<HeldBatchRow>`${preparedMark('ingest-held-batches')}
    select session_id, first_seq, count, prev_hash, hash, mac, events
    from held_batches where session_id = any(${sessionIds}::text[]) order by first_seq`.execute(db);
  return rows;
}
