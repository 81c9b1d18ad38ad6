import { sql, type Kysely } from 'kysely';

/**
 * Room on each page of `sessions` for its rows' next versions. Every commit of a session's batches
 * updates its row (its position in the chain); a row freshly inserted into a full page cannot take
 * its new version beside it, so the update is not HOT: the version goes to another page and every
 * index of the table gets an entry for it. As an exam starts, every student's first commit did that
 * within seconds (29% of the updates then, against 4–6% later; bench/README.md, live). At 70% a page
 * keeps room for its rows' next versions, and their old ones are pruned on the next visit. Pages
 * written before this step keep their fill until rewritten.
 */
export async function sessionsFillfactorMigration(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sessions set (fillfactor = 70)`.execute(db);
}
