import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, SubjectExportsTable } from '../../platform/db/tables';

export type ExportRow = Selectable<SubjectExportsTable>;

export const personIn = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db.selectFrom('users').select(['id', 'role']).where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();

export const insertExport = (
  db: Kysely<DB>,
  row: { id: string; tenant_id: string; subject_id: string; requested_by: string; requested_as: 'admin' | 'self'; token_hash: string; expires_at: Date },
) => db.insertInto('subject_exports').values(row).returningAll().executeTakeFirstOrThrow();

export const exportById = (db: Kysely<DB>, tenantId: string, id: string) =>
  db.selectFrom('subject_exports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();

/** The job's read: the export whatever its tenant (the job carries only the id; the row says whose it is). */
export const exportForJob = (db: Kysely<DB>, id: string) => db.selectFrom('subject_exports').selectAll().where('id', '=', id).executeTakeFirst();

export const updateExport = (
  db: Kysely<DB>,
  id: string,
  set: Partial<Pick<ExportRow, 'status' | 'progress' | 'step' | 'blob_key' | 'sha256' | 'error' | 'finished_at' | 'expires_at'>> & { size?: number | null },
) => db.updateTable('subject_exports').set(set).where('id', '=', id).execute();

/** Archives whose link expired and that are not marked so yet, oldest first. */
export const expiredExports = (db: Kysely<DB>, now: Date, limit: number) =>
  db.selectFrom('subject_exports').selectAll().where('status', '!=', 'expired').where('expires_at', '<=', now).orderBy('expires_at').limit(limit).execute();

// ---- What the archive holds: every read is scoped by the tenant and names the person or their sessions. ----

export const profileOf = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'role', 'enrollment_id', 'department', 'status', 'oidc_subject', 'created_at', 'last_sign_in_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .executeTakeFirst();

export const membershipsOf = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db
    .selectFrom('class_members as m')
    .innerJoin('classes as c', 'c.id', 'm.class_id')
    .select(['c.id as class_id', 'c.name'])
    .where('m.tenant_id', '=', tenantId)
    .where('m.user_id', '=', userId)
    .orderBy('c.name')
    .execute();

export const attemptsOf = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db
    .selectFrom('attempts as a')
    .innerJoin('exams as e', 'e.id', 'a.exam_id')
    .select([
      'a.id',
      'a.exam_id',
      'e.title as exam_title',
      'a.session_id',
      'a.state',
      'a.started_at',
      'a.deadline_at',
      'a.finished_at',
      'a.graded_at',
      'a.score',
      'e.max_score',
      'a.feedback',
      'a.created_at',
    ])
    .where('a.tenant_id', '=', tenantId)
    .where('a.student_id', '=', userId)
    .orderBy('a.created_at')
    .execute();

export const sessionRowsOf = (db: Kysely<DB>, tenantId: string, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('sessions')
        .select(['id', 'kind', 'status', 'source', 'meta', 'analysis_settings', 'created_at', 'ended_at', 'next_seq', 'head_hash', 'last_t'])
        .where('tenant_id', '=', tenantId)
        .where('id', 'in', ids)
        .orderBy('created_at')
        .execute();

export const analysisOf = (db: Kysely<DB>, tenantId: string, sessionId: string) =>
  db
    .selectFrom('analyses')
    .select(['result', 'version', 'analyzed_at'])
    .where('tenant_id', '=', tenantId)
    .where('session_id', '=', sessionId)
    .executeTakeFirst();

export const alertsOf = (db: Kysely<DB>, tenantId: string, sessionId: string) =>
  db
    .selectFrom('alerts')
    .select(['id', 'detector', 'severity', 'message', 'seq_from', 'evidence', 'values', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('session_id', '=', sessionId)
    .orderBy('seq_from')
    .limit(10_000)
    .execute();

export async function flagsOf(db: Kysely<DB>, tenantId: string, sessionIds: string[]) {
  if (sessionIds.length === 0) return { flags: [], occurrences: [], decisions: [] };
  const flags = await db
    .selectFrom('review_flags')
    .select(['id', 'session_id', 'kind', 'severity', 'state', 'message', 'occurrences', 'first_t', 'last_t', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('session_id', 'in', sessionIds)
    .orderBy('created_at')
    .execute();
  const ids = flags.map((f) => f.id);
  if (ids.length === 0) return { flags, occurrences: [], decisions: [] };
  const occurrences = await db
    .selectFrom('review_occurrences')
    .select(['flag_id', 'seq_from', 'seq_to', 't_from', 't_to', 'severity', 'message', 'evidence', 'values', 'source', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('flag_id', 'in', ids)
    .orderBy('flag_id')
    .orderBy('seq_from')
    .execute();
  // Who decided is another person's data: never read here.
  const decisions = await db
    .selectFrom('review_decisions')
    .select(['id', 'flag_id', 'decision', 'from_state', 'to_state', 'note', 'note_to_student', 'severity', 'occurrences', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('flag_id', 'in', ids)
    .orderBy('created_at')
    .execute();
  return { flags, occurrences, decisions };
}

/** The person's own answers and appeals (on flags of their sessions). */
export const answersOf = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db
    .selectFrom('review_answers')
    .select(['id', 'flag_id', 'kind', 'text', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('author_id', '=', userId)
    .orderBy('created_at')
    .execute();

/** Share links of the person's sessions (never the token, only its existence); who made it is told only when it was them. */
export const shareLinksOf = (db: Kysely<DB>, tenantId: string, userId: string, sessionIds: string[]) =>
  sessionIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('share_links')
        .select(['id', 'session_id', 'scope', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
        .select(sql<boolean>`created_by is not null and created_by = ${userId}`.as('created_by_subject'))
        .where('tenant_id', '=', tenantId)
        .where('session_id', 'in', sessionIds)
        .orderBy('created_at')
        .execute();

/**
 * A page of the tenant's audit entries about the person: by them, on their user, or on one of their
 * sessions, attempts or flags, after `afterSeq` in chain order.
 */
export const auditAbout = (
  db: Kysely<DB>,
  tenantId: string,
  userId: string,
  resources: { sessions: string[]; attempts: string[]; flags: string[] },
  afterSeq: string,
  limit: number,
) =>
  db
    .selectFrom('audit_log')
    .select(['seq', 'at', 'actor_kind', 'actor_id', 'auth_method', 'action', 'resource_type', 'resource_id', 'ip', 'request_id', 'detail'])
    .where('tenant_id', '=', tenantId)
    .where(sql<boolean>`seq > ${afterSeq}::bigint`)
    .where((w) =>
      w.or([
        w('actor_id', '=', userId),
        w.and([w('resource_type', '=', 'user'), w('resource_id', '=', userId)]),
        ...(resources.sessions.length ? [w.and([w('resource_type', '=', 'session'), w('resource_id', 'in', resources.sessions)])] : []),
        ...(resources.attempts.length ? [w.and([w('resource_type', '=', 'attempt'), w('resource_id', 'in', resources.attempts)])] : []),
        ...(resources.flags.length ? [w.and([w('resource_type', '=', 'flag'), w('resource_id', 'in', resources.flags)])] : []),
      ]),
    )
    .orderBy('seq')
    .limit(limit)
    .execute();
