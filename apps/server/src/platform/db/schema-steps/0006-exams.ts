import { sql, type Kysely } from 'kysely';

/**
 * Exams and attempts (issue 12): an exam of a tenant with its classes and co-teachers; one attempt
 * per student and exam, moving through the attempt state machine (modules/exams/attempt-machine.ts),
 * with its session, its score and the analyses partners post for it. A session made for an attempt
 * carries `closes_at`: ingest refuses its batches from then on, and once it has ended (attempt-closed).
 */
export async function examsMigration(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema.alterTable('sessions').addColumn('closes_at', 'timestamptz').execute();

  await db.schema
    .createTable('exams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('instructions', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('max_score', 'double precision', (c) => c.notNull())
    .addColumn('pass_mark', 'double precision', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    // { analysis: AnalysisSettings without assistiveTechnology, accommodations: { dictation, assistiveTechnology } }
    .addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('results_released_at', 'timestamptz')
    .addColumn('archived_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('exams_tenant_owner').on('exams').columns(['tenant_id', 'owner_id']).execute();

  await db.schema
    .createTable('exam_classes')
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exams.id').onDelete('cascade'))
    .addColumn('class_id', 'text', (c) => c.notNull().references('classes.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('exam_classes_pk', ['exam_id', 'class_id'])
    .execute();
  await db.schema.createIndex('exam_classes_class').on('exam_classes').columns(['class_id']).execute();

  await db.schema
    .createTable('exam_co_teachers')
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exams.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('exam_co_teachers_pk', ['exam_id', 'user_id'])
    .execute();
  await db.schema.createIndex('exam_co_teachers_user').on('exam_co_teachers').columns(['user_id']).execute();

  await db.schema
    .createTable('attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('exam_id', 'text', (c) => c.notNull().references('exams.id').onDelete('cascade'))
    .addColumn('student_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('session_id', 'text', (c) => c.references('sessions.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('deadline_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('graded_at', 'timestamptz')
    .addColumn('score', 'double precision')
    .addColumn('feedback', 'text')
    .addColumn('graded_by_kind', 'text')
    .addColumn('graded_by_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addUniqueConstraint('attempts_exam_student', ['exam_id', 'student_id'])
    .execute();
  // The time-out job's scan: in-progress attempts by deadline.
  await sql`create index attempts_due on attempts (deadline_at) where state = 'in_progress'`.execute(db);

  await db.schema
    .createTable('attempt_external_analyses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('attempt_id', 'text', (c) => c.notNull().references('attempts.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('result', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('attempt_external_analyses_attempt').on('attempt_external_analyses').columns(['attempt_id']).execute();
}
