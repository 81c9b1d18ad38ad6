import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../platform/db/database';
import type { LiveTicketsTable } from '../../platform/db/tables';

export type LiveTicketRow = Selectable<LiveTicketsTable>;

export async function insertLiveTicket(db: Db, row: Insertable<LiveTicketsTable>): Promise<void> {
  await db.insertInto('live_tickets').values(row).execute();
}

/** The ticket with this hash for this session, unexpired at `now`; a ticket of another session is none. */
export async function findLiveTicket(db: Db, sessionId: string, tokenHash: string, now: Date): Promise<LiveTicketRow | undefined> {
  return db
    .selectFrom('live_tickets')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('session_id', '=', sessionId)
    .where('expires_at', '>', now)
    .executeTakeFirst();
}

/** Forgets tickets expired before `before` (they are refused anyway; this keeps the table small). */
export async function deleteExpiredLiveTickets(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('live_tickets').where('expires_at', '<', before).execute();
}
