import { sql, type Kysely } from 'kysely';

/**
 * LTI Advantage services (docs/adr/0028-lti-with-jose.md, amendment "Grades and rosters"): what a
 * launch tells of the platform's Assignment and Grade Services (AGS) and Names and Role Provisioning
 * Services (NRPS) for one resource link, and which LMS user (`sub`) a Veritas student is at that link,
 * with the timestamp of the last score the gradebook took for them.
 */
export async function ltiServicesMigration(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  // A resource link of a deployment of a registration, in a course (context): its exam and the service endpoints its last launch named.
  await db.schema
    .createTable('lti_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('registration_id', 'text', (c) => c.notNull().references('lti_registrations.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull())
    .addColumn('context_id', 'text')
    .addColumn('resource_link_id', 'text', (c) => c.notNull())
    .addColumn('exam_id', 'text')
    // JSON array of the AGS scopes the platform grants this link.
    .addColumn('ags_scopes', 'jsonb', (c) => c.notNull())
    .addColumn('ags_lineitems', 'text')
    // Sent by the platform, or the one Veritas created in `ags_lineitems` (then kept: the gradebook column of this link).
    .addColumn('ags_lineitem', 'text')
    .addColumn('nrps_url', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('lti_links_resource', ['registration_id', 'deployment_id', 'resource_link_id'])
    .execute();
  await db.schema.createIndex('lti_links_exam').on('lti_links').columns(['tenant_id', 'exam_id']).execute();
  await db.schema.createIndex('lti_links_context').on('lti_links').columns(['tenant_id', 'registration_id', 'context_id']).execute();

  // A Veritas person who launched a link, as the LMS names them there (`sub`, the AGS userId); the last score timestamp sent.
  await db.schema
    .createTable('lti_grade_links')
    .addColumn('link_id', 'text', (c) => c.notNull().references('lti_links.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('sent_timestamp', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('lti_grade_links_pk', ['link_id', 'user_id'])
    .execute();
  await db.schema.createIndex('lti_grade_links_user').on('lti_grade_links').columns(['tenant_id', 'user_id']).execute();
}
