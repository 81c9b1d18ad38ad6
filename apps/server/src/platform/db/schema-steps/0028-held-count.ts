import { sql, type Kysely } from 'kysely';

/**
 * A session's count of held batches (batches waiting for a gap before them), kept by a trigger on
 * `held_batches` in the transaction that inserts or deletes them. Ingest reads it with the session's
 * lock, from the row's latest version, and reads the held batches themselves only when it is above
 * zero: one statement fewer per commit group in the common case. The held batches cannot be read in
 * the lock's own statement: its snapshot is taken before it waits for the lock, so batches held by
 * the group it waited for would not be in it. A trigger rather than ingest's own arithmetic, so that
 * every writer (the retention purge too) keeps the count true: an undercount would leave held
 * batches unread, never promoted.
 */
export async function heldCountMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('held_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update sessions s set held_count = h.n
    from (select session_id, count(*)::integer as n from held_batches group by session_id) h
    where s.id = h.session_id`.execute(db);
  await sql`create function held_batches_count() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        update sessions set held_count = held_count + 1 where id = new.session_id;
      else
        update sessions set held_count = held_count - 1 where id = old.session_id;
      end if;
      return null;
    end $$`.execute(db);
  // Row triggers: an insert skipped by ON CONFLICT DO NOTHING inserts no row and counts nothing.
  await sql`create trigger held_batches_count after insert or delete on held_batches
    for each row execute function held_batches_count()`.execute(db);
}
