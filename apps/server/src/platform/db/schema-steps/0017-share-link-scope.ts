import { sql, type Kysely } from 'kysely';

/**
 * What a share link opens: the replay (events, replay stream, bundle, live), the report (analysis,
 * report, flags, alerts, certificate) or both. Links made before scopes existed opened everything,
 * so they keep doing so ('both').
 */
export async function shareLinkScopeMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('share_links')
    .addColumn('scope', 'text', (c) =>
      c
        .notNull()
        .defaultTo('both')
        .check(sql`scope in ('replay', 'report', 'both')`),
    )
    .execute();
}
