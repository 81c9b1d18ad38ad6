import type { Kysely } from 'kysely';

/** Sign-in links: the name an admin gave with an invitation, offered (and changeable) when the person accepts it. */
export async function authMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('one_time_links').addColumn('display_name', 'text').execute();
}
