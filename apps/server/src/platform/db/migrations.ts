import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { peopleMigration } from './schema-steps/0004-people';
import { authMigration } from './schema-steps/0005-auth';
import { examsMigration } from './schema-steps/0006-exams';
import { reviewMigration } from './schema-steps/0007-review';
import { tenantCorsMigration } from './schema-steps/0006-tenant-cors';
import { liveTicketsMigration } from './schema-steps/0009-live-tickets';
import { certificatesMigration } from './schema-steps/0008-certificates';
import { dashboardsMigration } from './schema-steps/0010-dashboards';
import { idempotencyMigration } from './schema-steps/0015-idempotency';
import { retentionMigration } from './schema-steps/0019-retention';
import { privacyMigration } from './schema-steps/0020-privacy';
import { liveExamMigration } from './schema-steps/0012-live-exam';
import { sessionSealingMigration } from './schema-steps/0014-session-sealing';
import { dashboardScaleMigration } from './schema-steps/0011-dashboard-scale';
import { webhooksMigration } from './schema-steps/0016-webhooks';
import { shareLinkScopeMigration } from './schema-steps/0017-share-link-scope';
import { dashboardExamVersionMigration } from './schema-steps/0022-dashboard-exam-version';
import { ltiMigration } from './schema-steps/0018-lti';
import { ltiDeepLinksMigration } from './schema-steps/0024-lti-deep-links';
import { auditRetentionMigration } from './schema-steps/0025-audit-retention';
import { consentWithdrawalMigration } from './schema-steps/0026-consent-withdrawal';
import { auditPendingMigration } from './schema-steps/0027-audit-pending';
import { heldCountMigration } from './schema-steps/0028-held-count';
import { sessionsFillfactorMigration } from './schema-steps/0029-sessions-fillfactor';
import { ltiServicesMigration } from './schema-steps/0023-lti-services';

/**
 * Numbered migrations, in code so they ship with the server and run unchanged on PGlite and
 * PostgreSQL. Never edit one that has shipped: add the next.
 */
const migrations: Record<string, Migration> = {
  '0001_sessions_events': {
    async up(db) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text')
        .addColumn('owner_id', 'text')
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
        .addColumn('source', 'text', (c) => c.notNull().defaultTo('live'))
        .addColumn('write_key', 'text')
        .addColumn('meta', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('ended_at', 'timestamptz')
        .addColumn('next_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('head_hash', 'text', (c) => c.notNull())
        .addColumn('last_t', 'double precision', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('sessions_tenant_created').on('sessions').columns(['tenant_id', 'created_at']).execute();

      await db.schema
        .createTable('batches')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('first_seq', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('mac', 'text')
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('batches_pk', ['session_id', 'first_seq'])
        .execute();

      await db.schema
        .createTable('events')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('t', 'double precision', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['session_id', 'seq'])
        .execute();

      await db.schema
        .createTable('held_batches')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('first_seq', 'integer', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('mac', 'text')
        .addColumn('events', 'jsonb', (c) => c.notNull())
        .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('held_batches_pk', ['session_id', 'first_seq'])
        .execute();
    },
  },
  '0002_jobs_analyses_alerts': {
    async up(db) {
      // The embedded durable job runner's queue (pg-boss keeps its own schema on PostgreSQL).
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key', 'text')
        .addColumn('data', 'jsonb', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('queued'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('locked_until', 'timestamptz')
        .addColumn('lock_token', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addColumn('finished_at', 'timestamptz')
        .addUniqueConstraint('jobs_name_key', ['name', 'key'])
        .execute();
      await sql`create index jobs_due on jobs (name, run_at) where status in ('queued', 'running')`.execute(db);

      await db.schema
        .createTable('analyses')
        .addColumn('session_id', 'text', (c) => c.primaryKey().references('sessions.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text')
        .addColumn('result', 'jsonb', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('analyzed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .execute();

      await db.schema
        .createTable('alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('tenant_id', 'text')
        .addColumn('detector', 'text', (c) => c.notNull())
        .addColumn('severity', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('seq_from', 'integer', (c) => c.notNull())
        .addColumn('evidence', 'jsonb', (c) => c.notNull())
        .addColumn('values', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        // A replayed stream raises the same alert again: stored once.
        .addUniqueConstraint('alerts_once', ['session_id', 'detector', 'seq_from'])
        .execute();
    },
  },
  '0003_session_analysis_settings': {
    async up(db) {
      // Thresholds and host-signal choice the session's exam (or partner) set when it was created.
      await db.schema
        .alterTable('sessions')
        .addColumn('analysis_settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
        .execute();
    },
  },
  // Kysely runs the steps in the order of their names; this list is kept in that order to read.
  '0004_people': { up: peopleMigration },
  '0005_auth': { up: authMigration },
  '0006_exams': { up: examsMigration },
  '0006_tenant_cors': { up: tenantCorsMigration },
  '0007_review': { up: reviewMigration },
  '0008_certificates': { up: certificatesMigration },
  '0009_live_tickets': { up: liveTicketsMigration },
  '0010_dashboards': { up: dashboardsMigration },
  '0011_dashboard_scale': { up: dashboardScaleMigration },
  '0012_live_exam': { up: liveExamMigration },
  '0014_session_sealing': { up: sessionSealingMigration },
  '0015_idempotency': { up: idempotencyMigration },
  '0016_webhooks': { up: webhooksMigration },
  '0017_share_link_scope': { up: shareLinkScopeMigration },
  '0018_lti': { up: ltiMigration },
  '0019_retention': { up: retentionMigration },
  '0020_privacy': { up: privacyMigration },
  '0022_dashboard_exam_version': { up: dashboardExamVersionMigration },
  '0023_lti_services': { up: ltiServicesMigration },
  '0024_lti_deep_links': { up: ltiDeepLinksMigration },
  '0025_audit_retention': { up: auditRetentionMigration },
  '0026_consent_withdrawal': { up: consentWithdrawalMigration },
  '0027_audit_pending': { up: auditPendingMigration },
  '0028_held_count': { up: heldCountMigration },
  '0029_sessions_fillfactor': { up: sessionsFillfactorMigration },
};

class InCodeProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/** Brings the database to the latest schema. Safe to run on every start and from several processes. */
export async function migrateToLatest<Tables>(db: Kysely<Tables>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new InCodeProvider(),
    migrationTableName: 'veritas_migrations',
    migrationLockTableName: 'veritas_migrations_lock',
    // Steps are written on parallel branches, each on its own tables: a step merged after a
    // later-numbered one already ran (a developer's data folder) still applies instead of refusing to start.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
