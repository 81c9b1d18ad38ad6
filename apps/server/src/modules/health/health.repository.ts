import { sql } from 'kysely';
import type { Db } from '../../platform/db/database';

/** The cheapest query there is: answers when the database does. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
