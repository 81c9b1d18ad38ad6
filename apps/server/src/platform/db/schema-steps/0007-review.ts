import { sql, type Kysely } from 'kysely';

/**
 * Review (issue 12): a session's flags and alerts consolidated into one review flag per
 * (session, detector), its occurrences, the reviewers' decisions and the student's answers.
 */
export async function reviewMigration(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('review_flags')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('severity_rank', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_t', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('last_t', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('first_confirmed_by', 'text')
    // New occurrences or a higher severity after a decision: shown, and back in the queue; the state stays.
    .addColumn('changed_since_decision', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    // One flag per session and detector: re-analysis and repeated alerts update it, never duplicate it.
    .addUniqueConstraint('review_flags_once', ['session_id', 'kind'])
    .execute();
  // The queue: a tenant's flags by severity, then age.
  await sql`create index review_flags_queue on review_flags (tenant_id, severity_rank desc, created_at, id)`.execute(db);

  await db.schema
    .createTable('review_occurrences')
    .addColumn('flag_id', 'text', (c) => c.notNull().references('review_flags.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('seq_from', 'integer', (c) => c.notNull())
    .addColumn('seq_to', 'integer', (c) => c.notNull())
    .addColumn('t_from', 'double precision', (c) => c.notNull())
    .addColumn('t_to', 'double precision', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('severity_rank', 'integer', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('evidence', 'jsonb', (c) => c.notNull())
    .addColumn('values', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('review_occurrences_pk', ['flag_id', 'seq_from'])
    .execute();

  await db.schema
    .createTable('review_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('flag_id', 'text', (c) => c.notNull().references('review_flags.id').onDelete('cascade'))
    .addColumn('reviewer_id', 'text', (c) => c.notNull())
    .addColumn('reviewer_role', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('note_to_student', 'text')
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_decisions_flag').on('review_decisions').columns(['flag_id', 'created_at']).execute();

  await db.schema
    .createTable('review_answers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('flag_id', 'text', (c) => c.notNull().references('review_flags.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_answers_flag').on('review_answers').columns(['flag_id', 'created_at']).execute();
}
