import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';

export const personOf = (db: Kysely<DB>, tenantId: string, userId: string) =>
  db.selectFrom('users').select(['id', 'role', 'email', 'status']).where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();

/** What the person runs for others (classes taught, exams owned): handed to someone else before erasure. */
export async function ownedResources(db: Kysely<DB>, tenantId: string, userId: string): Promise<{ classes: number; exams: number }> {
  const classes = await db
    .selectFrom('classes')
    .select((e) => e.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('teacher_id', '=', userId)
    .executeTakeFirstOrThrow();
  const exams = await db
    .selectFrom('exams')
    .select((e) => e.fn.countAll().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('owner_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { classes: Number(classes.n), exams: Number(exams.n) };
}

/** The sessions that are the person's: those they own and those of their attempts. */
export async function sessionsOfPerson(db: Kysely<DB>, tenantId: string, userId: string): Promise<string[]> {
  const owned = await db.selectFrom('sessions').select('id').where('tenant_id', '=', tenantId).where('owner_id', '=', userId).execute();
  const taken = await db
    .selectFrom('attempts')
    .select('session_id')
    .where('tenant_id', '=', tenantId)
    .where('student_id', '=', userId)
    .where('session_id', 'is not', null)
    .execute();
  return [...new Set([...owned.map((r) => r.id), ...taken.map((r) => r.session_id!)])];
}

/** Active holds on the person, one of their sessions or one of their attempts. */
export async function holdsCovering(db: Kysely<DB>, tenantId: string, userId: string, sessionIds: string[]) {
  const attempts = await db.selectFrom('attempts').select('id').where('tenant_id', '=', tenantId).where('student_id', '=', userId).execute();
  return db
    .selectFrom('legal_holds')
    .select(['id', 'subject_kind', 'subject_id'])
    .where('tenant_id', '=', tenantId)
    .where('lifted_at', 'is', null)
    .where((w) =>
      w.or([
        w.and([w('subject_kind', '=', 'person'), w('subject_id', '=', userId)]),
        ...(sessionIds.length ? [w.and([w('subject_kind', '=', 'session'), w('subject_id', 'in', sessionIds)])] : []),
        ...(attempts.length
          ? [
              w.and([
                w('subject_kind', '=', 'attempt'),
                w(
                  'subject_id',
                  'in',
                  attempts.map((a) => a.id),
                ),
              ]),
            ]
          : []),
      ]),
    )
    .execute();
}

export interface Erased {
  sessions: number;
  attempts: number;
  memberships: number;
}

/**
 * Deletes what is about the person (their sessions with everything of them by cascade, attempts,
 * memberships, links, sign-in tokens, answers to flags, dashboard rows) and strips the user row to
 * an id: the audit trail and other people's records still point at it, naming no one.
 */
export async function erasePersonRows(trx: Kysely<DB>, tenantId: string, userId: string, sessionIds: string[]): Promise<Erased> {
  const sessions = sessionIds.length
    ? Number((await trx.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('id', 'in', sessionIds).executeTakeFirst()).numDeletedRows)
    : 0;
  const attempts = Number(
    (await trx.deleteFrom('attempts').where('tenant_id', '=', tenantId).where('student_id', '=', userId).executeTakeFirst()).numDeletedRows,
  );
  const memberships = Number(
    (await trx.deleteFrom('class_members').where('tenant_id', '=', tenantId).where('user_id', '=', userId).executeTakeFirst()).numDeletedRows,
  );
  await trx.deleteFrom('observer_links').where('tenant_id', '=', tenantId).where('observer_id', '=', userId).execute();
  await trx.deleteFrom('exam_co_teachers').where('user_id', '=', userId).execute();
  await trx.deleteFrom('review_answers').where('tenant_id', '=', tenantId).where('author_id', '=', userId).execute();
  await trx.deleteFrom('refresh_tokens').where('user_id', '=', userId).execute();
  await trx.deleteFrom('one_time_links').where('user_id', '=', userId).execute();
  await trx.deleteFrom('dashboard_students').where('tenant_id', '=', tenantId).where('student_id', '=', userId).execute();
  // Their subject-access archives stop downloading now; the export sweep deletes the files (ADR 0029).
  await trx
    .updateTable('subject_exports')
    .set({ expires_at: new Date(0) })
    .where('tenant_id', '=', tenantId)
    .where('subject_id', '=', userId)
    .execute();
  await trx
    .updateTable('users')
    .set({
      email: `erased-${userId}@erased.invalid`,
      display_name: 'Erased person',
      password_hash: null,
      oidc_subject: null,
      enrollment_id: null,
      department: null,
      status: 'disabled',
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .execute();
  return { sessions, attempts, memberships };
}
