import { sql, type Kysely } from 'kysely';

/**
 * Who seals a session's batches (docs/adr/0024-server-sealed-sessions.md): 'client' (every session
 * so far, and the default) or 'server', declared at creation and never changed, so every batch of a
 * session has the same sealer and the bundle states it per batch from this column.
 */
export async function sessionSealingMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('sealing', 'text', (c) =>
      c
        .notNull()
        .defaultTo('client')
        .check(sql`sealing in ('client', 'server')`),
    )
    .execute();
}
