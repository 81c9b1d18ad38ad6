import type { Kysely, Selectable } from 'kysely';
import type { TenantId } from '../../kernel/scope';
import type { DB, LtiLinksTable } from '../../platform/db/tables';

export type LtiLinkRow = Selectable<LtiLinksTable>;

export interface LinkFields {
  registrationId: string;
  deploymentId: string;
  contextId: string | null;
  resourceLinkId: string;
  examId: string | null;
  agsScopes: string[];
  agsLineitems: string | null;
  /** Undefined: keep the one stored (Veritas may have created it); a string: the platform's. */
  agsLineitem: string | undefined;
  nrpsUrl: string | null;
}

/** Records (or refreshes) a resource link with what its latest launch said; returns its id. */
export async function upsertLink(db: Kysely<DB>, tenantId: TenantId, id: string, f: LinkFields, at: Date): Promise<string> {
  const changes = {
    context_id: f.contextId,
    exam_id: f.examId,
    ags_scopes: JSON.stringify(f.agsScopes),
    ags_lineitems: f.agsLineitems,
    ...(f.agsLineitem !== undefined ? { ags_lineitem: f.agsLineitem } : {}),
    nrps_url: f.nrpsUrl,
    updated_at: at,
  };
  const row = await db
    .insertInto('lti_links')
    .values({
      id,
      tenant_id: tenantId,
      registration_id: f.registrationId,
      deployment_id: f.deploymentId,
      resource_link_id: f.resourceLinkId,
      ags_lineitem: f.agsLineitem ?? null,
      ...changes,
    })
    .onConflict((oc) => oc.columns(['registration_id', 'deployment_id', 'resource_link_id']).doUpdateSet(changes))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findLink(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<LtiLinkRow | undefined> {
  return db.selectFrom('lti_links').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** Keeps the line item Veritas created for a link, unless one is already stored (another run's): returns the one that holds. */
export async function keepLineItem(db: Kysely<DB>, tenantId: TenantId, id: string, lineitem: string): Promise<string> {
  await db
    .updateTable('lti_links')
    .set({ ags_lineitem: lineitem })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('ags_lineitem', 'is', null)
    .execute();
  const row = await db.selectFrom('lti_links').select('ags_lineitem').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return row?.ags_lineitem ?? lineitem;
}

export async function upsertGradeLink(db: Kysely<DB>, row: { tenant_id: TenantId; link_id: string; user_id: string; sub: string }): Promise<void> {
  await db
    .insertInto('lti_grade_links')
    .values(row)
    .onConflict((oc) => oc.columns(['link_id', 'user_id']).doUpdateSet({ sub: row.sub }))
    .execute();
}

/** The links at which a person launched an exam (with the AGS userId they have there). */
export async function gradeLinksOf(db: Kysely<DB>, tenantId: TenantId, examId: string, userId: string) {
  return db
    .selectFrom('lti_grade_links')
    .innerJoin('lti_links', 'lti_links.id', 'lti_grade_links.link_id')
    .select(['lti_grade_links.link_id', 'lti_grade_links.sub', 'lti_grade_links.sent_timestamp'])
    .where('lti_grade_links.tenant_id', '=', tenantId)
    .where('lti_links.tenant_id', '=', tenantId)
    .where('lti_links.exam_id', '=', examId)
    .where('lti_grade_links.user_id', '=', userId)
    .execute();
}

export async function findGradeLink(db: Kysely<DB>, tenantId: TenantId, linkId: string, userId: string) {
  return db
    .selectFrom('lti_grade_links')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('link_id', '=', linkId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * Notes that the gradebook took the score of this timestamp, unless a newer one was noted meanwhile
 * (two runs racing): the newer timestamp always stays.
 */
export async function noteSent(db: Kysely<DB>, tenantId: TenantId, linkId: string, userId: string, timestamp: Date): Promise<void> {
  await db
    .updateTable('lti_grade_links')
    .set({ sent_timestamp: timestamp })
    .where('tenant_id', '=', tenantId)
    .where('link_id', '=', linkId)
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('sent_timestamp', 'is', null), eb('sent_timestamp', '<', timestamp)]))
    .execute();
}

/** The graded attempts of an exam whose students launched it from an LMS: those to tell the gradebook again when results are released. */
export async function gradedLtiAttempts(db: Kysely<DB>, tenantId: TenantId, examId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('attempts')
    .select('attempts.id')
    .where('attempts.tenant_id', '=', tenantId)
    .where('attempts.exam_id', '=', examId)
    .where('attempts.graded_at', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('lti_grade_links')
          .innerJoin('lti_links', 'lti_links.id', 'lti_grade_links.link_id')
          .select('lti_grade_links.link_id')
          .whereRef('lti_grade_links.user_id', '=', 'attempts.student_id')
          .where('lti_grade_links.tenant_id', '=', tenantId)
          .where('lti_links.exam_id', '=', examId),
      ),
    )
    .orderBy('attempts.id')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The LMS course a class is, with the newest memberships URL a launch from it named (none: no roster to read). */
export async function rosterSourceOf(db: Kysely<DB>, tenantId: TenantId, classId: string) {
  return db
    .selectFrom('lti_contexts')
    .innerJoin('lti_links', (j) =>
      j.onRef('lti_links.registration_id', '=', 'lti_contexts.registration_id').onRef('lti_links.context_id', '=', 'lti_contexts.context_id'),
    )
    .select(['lti_contexts.registration_id', 'lti_contexts.context_id', 'lti_links.nrps_url'])
    .where('lti_contexts.tenant_id', '=', tenantId)
    .where('lti_links.tenant_id', '=', tenantId)
    .where('lti_contexts.class_id', '=', classId)
    .where('lti_links.nrps_url', 'is not', null)
    .orderBy('lti_links.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The class's students linked to LMS users of this registration (`sub` → user): whom a roster may remove. */
export async function linkedMembers(db: Kysely<DB>, tenantId: TenantId, classId: string, registrationId: string) {
  return db
    .selectFrom('class_members')
    .innerJoin('lti_accounts', 'lti_accounts.user_id', 'class_members.user_id')
    .select(['lti_accounts.sub', 'class_members.user_id'])
    .where('class_members.tenant_id', '=', tenantId)
    .where('class_members.class_id', '=', classId)
    .where('lti_accounts.tenant_id', '=', tenantId)
    .where('lti_accounts.registration_id', '=', registrationId)
    .execute();
}

/** What a passback reads of an attempt (the exams module's table, read-only): its student, score, grading time and session. */
export async function gradedAttempt(db: Kysely<DB>, tenantId: TenantId, attemptId: string) {
  return db
    .selectFrom('attempts')
    .select(['id', 'exam_id', 'student_id', 'session_id', 'score', 'feedback', 'graded_at'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', attemptId)
    .executeTakeFirst();
}

/** A class of the tenant and its teacher (the people module's table, read-only): who may sync its roster. */
export async function classTeacher(db: Kysely<DB>, tenantId: TenantId, classId: string): Promise<string | undefined> {
  const row = await db.selectFrom('classes').select('teacher_id').where('tenant_id', '=', tenantId).where('id', '=', classId).executeTakeFirst();
  return row?.teacher_id;
}
