import { sql, type Kysely } from 'kysely';

/**
 * An exam's live supervision (ADR 0019): tickets bound to one exam and one purpose (its live view, or
 * its alerts socket), stored hashed like a session's live tickets; and teachers' acknowledgements of
 * critical alerts, one per alert (the first teacher's stands; the others are told who and when).
 */
export async function liveExamMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exam_live_tickets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'exam-live' (GET …/live) or 'alerts' (the alerts socket): a ticket opens that one channel only.
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('auth_method', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('exam_live_tickets_expiry').on('exam_live_tickets').column('expires_at').execute();
  await db.schema
    .createTable('alert_acknowledgements')
    .addColumn('alert_id', 'text', (c) => c.primaryKey().references('alerts.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('acknowledged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('alert_acknowledgements_exam').on('alert_acknowledgements').columns(['tenant_id', 'exam_id']).execute();
}
