import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table interfaces: the Kysely view of the schema the migrations create. */

export interface SessionsTable {
  id: string;
  tenant_id: string | null;
  owner_id: string | null;
  kind: string;
  status: 'active' | 'ended';
  /** 'live' (recorded through ingest), 'upload' (a bundle), 'demo' (seeded demo data). */
  source: string;
  /** SHA-256 of the write token: authenticates it and keys the batch MAC. Null once nothing may write. */
  write_key: string | null;
  meta: ColumnType<Record<string, unknown>, string, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The next seq expected: everything below it is stored, contiguous. */
  next_seq: Generated<number>;
  /** Hash of the last stored batch: the prevHash the next batch must carry. */
  head_hash: string;
  last_t: Generated<number>;
}

export interface BatchesTable {
  session_id: string;
  first_seq: number;
  count: number;
  prev_hash: string;
  hash: string;
  mac: string | null;
  received_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface EventsTable {
  session_id: string;
  seq: number;
  t: number;
  type: string;
  data: ColumnType<unknown, string, never>;
}

/** Batches that arrived ahead of a gap, kept durably until the gap fills. */
export interface HeldBatchesTable {
  session_id: string;
  first_seq: number;
  count: number;
  prev_hash: string;
  hash: string;
  mac: string | null;
  events: ColumnType<unknown[], string, never>;
  received_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface DB {
  sessions: SessionsTable;
  batches: BatchesTable;
  events: EventsTable;
  held_batches: HeldBatchesTable;
}

export type SessionRow = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type SessionUpdate = Updateable<SessionsTable>;
