import type { Kysely } from 'kysely';

/**
 * Dashboards (modules/dashboards): a student's attempts, newest first, and an attempt found by its
 * session (the flags waiting on a teacher's exams join review flags to attempts by session). Indexes only.
 */
export async function dashboardsMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('attempts_tenant_student').on('attempts').columns(['tenant_id', 'student_id', 'created_at']).execute();
  await db.schema.createIndex('attempts_session').on('attempts').column('session_id').execute();
}
