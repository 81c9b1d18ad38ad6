import { sql, type Kysely } from 'kysely';

/**
 * LTI 1.3 (docs/adr/0028-lti-with-jose.md): a tenant's registrations of its LMS (the platform's
 * issuer, client id, deployments, keys and endpoints), Veritas's own tool keys, logins in flight
 * (state and nonce, single use, expiring), and the links of LMS users and courses to Veritas's
 * people and classes.
 */
export async function ltiMigration(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('lti_registrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // JSON array of the deployment ids a launch may carry.
    .addColumn('deployment_ids', 'jsonb', (c) => c.notNull())
    .addColumn('jwks_url', 'text', (c) => c.notNull())
    .addColumn('auth_endpoint', 'text', (c) => c.notNull())
    .addColumn('token_endpoint', 'text', (c) => c.notNull())
    // JSON array of the origins allowed to frame Veritas's pages opened by a launch (frame-ancestors).
    .addColumn('frame_origins', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('lti_registrations_client', ['tenant_id', 'issuer', 'client_id'])
    .execute();

  // Veritas's own keys as an LTI tool (RS256): they sign client assertions and deep-linking answers; /v1/lti/jwks publishes them.
  await db.schema
    .createTable('lti_tool_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('private_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('retired_at', 'timestamptz')
    .execute();

  // A login initiation's state and nonce: taken (deleted) by the launch that returns it, so each works once.
  await db.schema
    .createTable('lti_logins')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('registration_id', 'text', (c) => c.notNull().references('lti_registrations.id').onDelete('cascade'))
    .addColumn('nonce', 'text', (c) => c.notNull().unique())
    .addColumn('target_link_uri', 'text')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('lti_logins_expiry').on('lti_logins').columns(['tenant_id', 'expires_at']).execute();

  // An LMS user (the platform's `sub`, meaningful only at that registration) and the Veritas account it signs into.
  await db.schema
    .createTable('lti_accounts')
    .addColumn('registration_id', 'text', (c) => c.notNull().references('lti_registrations.id').onDelete('cascade'))
    .addColumn('sub', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('lti_accounts_pk', ['registration_id', 'sub'])
    .execute();
  await db.schema.createIndex('lti_accounts_user').on('lti_accounts').columns(['tenant_id', 'user_id']).execute();

  // An LMS course (the context claim's id) and the class it is in Veritas.
  await db.schema
    .createTable('lti_contexts')
    .addColumn('registration_id', 'text', (c) => c.notNull().references('lti_registrations.id').onDelete('cascade'))
    .addColumn('context_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addPrimaryKeyConstraint('lti_contexts_pk', ['registration_id', 'context_id'])
    .execute();
}
