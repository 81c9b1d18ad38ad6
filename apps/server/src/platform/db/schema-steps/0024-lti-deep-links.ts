import { sql, type Kysely } from 'kysely';

/**
 * LTI Deep Linking 2.0 (docs/adr/0028-lti-with-jose.md, amendment "Deep linking"): a deep-linking
 * request in flight, from the launch that verified it to the answer the teacher's pick sends back to
 * the LMS. Found by the SHA-256 of its token (the token is the picker page's capability, carried in
 * its URL only), bound to the tenant, registration and person of the launch, single use (`used_at`),
 * expiring.
 */
export async function ltiDeepLinksMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('lti_deep_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('registration_id', 'text', (c) => c.notNull().references('lti_registrations.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    // The platform's opaque `data`, echoed in the answer (null when it sent none).
    .addColumn('data', 'text')
    // Whether the platform creates a gradebook column from a content item's lineItem (accept_lineitem).
    .addColumn('accept_lineitem', 'boolean', (c) => c.notNull().defaultTo(false))
    // The platform's suggested title for what is placed, and the course (class) the launch came from.
    .addColumn('title', 'text')
    .addColumn('class_id', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('lti_deep_links_expiry').on('lti_deep_links').columns(['tenant_id', 'expires_at']).execute();
}
