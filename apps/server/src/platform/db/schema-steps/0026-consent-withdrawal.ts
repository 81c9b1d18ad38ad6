import { sql, type Kysely } from 'kysely';

/**
 * Withdrawing consent (docs/adr/0029-subject-access-and-consent.md, amendment): an agreement keeps its
 * row and gains the time it was withdrawn, and one agreement per person and version is unique only
 * while it stands, so a person who withdrew can agree again (a new row, the history kept).
 */
export async function consentWithdrawalMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consent_agreements').addColumn('withdrawn_at', 'timestamptz').execute();
  await db.schema.dropIndex('consent_agreements_person').execute();
  await sql`create unique index consent_agreements_standing on consent_agreements (tenant_id, user_id, version) where withdrawn_at is null`.execute(db);
}
