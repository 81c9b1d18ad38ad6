import type { Kysely } from 'kysely';
import type { UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { DB } from '../../platform/db/tables';
import type { AuditService, RequestContext } from '../audit';
import { randomToken, tokenHash } from '../auth';
import { examClassIds, findExam, setExamClasses } from '../exams';
import { findUser, type UserRow } from '../people';
import type { mapRoles } from './lti-claims';
import { deepLinkingResponseClaims, readDeepLinkingSettings, returnPage } from './lti-deep-linking';
import { findDeepLink, insertDeepLink, purgeExpiredDeepLinks, useDeepLink, type LtiDeepLinkRow } from './lti-deep-linking.repository';
import { refuse, type LaunchClaims } from './lti-id-token';
import { ltiActorOf, resolveLtiAccount, resolveLtiClass } from './lti-accounts';
import { findRegistration, type LtiRegistrationRow } from './lti.repository';
import type { ToolKeys } from './tool-keys';

/** A deep-linking request may be answered for an hour: time to pick an exam, or to set one up. */
export const LTI_DEEP_LINK_TTL_MS = 60 * 60 * 1000;
/** The answer is for the LMS to read at once. */
const RESPONSE_TTL_S = 300;

const invalid = () => new AppError('lti-deep-link-invalid', 'this deep-linking request is unknown, already answered or expired: start again from the LMS');
const canPlace = (user: UserRow) => user.role === 'teacher' || user.role === 'admin';
const reachOf = (user: UserRow) => (user.role === 'admin' ? ({ kind: 'all' } as const) : ({ kind: 'teacher', userId: user.id } as const));

/**
 * The launch of a deep-linking request (called by the launch service once the id token is verified):
 * only an instructor or administrator may place content; the request's settings are read; the
 * account and the course's class are resolved as for any launch; the request is kept (its token's
 * hash, an hour, single use) and the browser goes to the picker page, framed by the LMS.
 */
export async function enterDeepLinking(
  deps: { db: Kysely<DB>; audit: AuditService; clock: () => Date },
  registration: LtiRegistrationRow,
  claims: LaunchClaims,
  role: NonNullable<ReturnType<typeof mapRoles>>,
  context: RequestContext,
): Promise<{ user: UserRow; location: string }> {
  const refuseLearner = () =>
    refuse('deep-linking-role', 'only an instructor or administrator can add Veritas exams to a course; learners open the links their teacher placed');
  if (role !== 'teacher' && role !== 'admin') refuseLearner();
  const settings = readDeepLinkingSettings(claims);
  const tenant = tenantId(registration.tenant_id);
  const now = deps.clock();
  const token = randomToken();
  return deps.db
    .transaction()
    .execute(async (trx) => {
      const user = await resolveLtiAccount(trx, deps.audit, registration, claims, role, context);
      // The account the LMS user is linked to decides what they manage, whatever role the launch claims.
      if (!canPlace(user)) refuseLearner();
      const classId = await resolveLtiClass(trx, deps.audit, registration, claims, user, context);
      await purgeExpiredDeepLinks(trx, tenant, new Date(now.getTime() - LTI_DEEP_LINK_TTL_MS));
      await insertDeepLink(trx, {
        token_hash: tokenHash(token),
        tenant_id: tenant,
        registration_id: registration.id,
        user_id: user.id,
        deployment_id: claims.deploymentId,
        return_url: settings.returnUrl,
        data: settings.data ?? null,
        accept_lineitem: settings.acceptLineItem,
        title: settings.title ?? null,
        class_id: classId ?? null,
        expires_at: new Date(now.getTime() + LTI_DEEP_LINK_TTL_MS),
      });
      return { user, location: `/lti/deep-link/${encodeURIComponent(token)}?lti=${encodeURIComponent(registration.id)}` };
    })
    .catch((err: unknown) => {
      if (err instanceof AppError) throw err;
      if ((err as { code?: unknown }).code === '23505') refuse('concurrent', 'another launch for this person was in progress; launch again');
      return rethrowUnavailable(err);
    });
}

export interface DeepLinkView {
  registrationName: string;
  suggestedTitle: string | null;
  expiresAt: string;
}

export interface DeepLinkAnswer {
  html: string;
  csp: string;
}

/**
 * The picker's side of deep linking: what the request is (for its person only), and the answer —
 * the teacher's pick (an exam they manage, in the request's tenant) or their cancellation — signed by
 * the tool key and posted back to the LMS. The request is used up by the answer; the placement is
 * audited, and the course's class is put on the exam so its learners may take it.
 */
export function createLtiDeepLinking({ database, audit, toolKeys, clock }: { database: Database; audit: AuditService; toolKeys: ToolKeys; clock: () => Date }) {
  const db = database.db;

  async function live(token: string): Promise<{ row: LtiDeepLinkRow; tenant: TenantId; registration: LtiRegistrationRow }> {
    const row = await guard(findDeepLink(db, tokenHash(token)));
    if (!row || row.used_at !== null || row.expires_at <= clock()) throw invalid();
    const tenant = tenantId(row.tenant_id);
    const registration = await guard(findRegistration(db, tenant, row.registration_id));
    if (!registration) throw invalid();
    return { row, tenant, registration };
  }

  /** The request, to the person whose launch made it (anyone else, of any institution: not found, as an unknown token). */
  async function view(actor: UserActor, token: string): Promise<DeepLinkView> {
    const found = await guard(findDeepLink(db, tokenHash(token)));
    if (!found || found.tenant_id !== actor.tenantId || found.user_id !== actor.userId)
      throw new AppError('not-found', 'no deep-linking request of yours has this token');
    const { row, registration } = await live(token);
    return { registrationName: registration.name, suggestedTitle: row.title, expiresAt: row.expires_at.toISOString() };
  }

  /** The answer page for the LMS: `examId` placed, or nothing (the teacher cancelled). `launchUrl` is the content item's URL. */
  async function respond(token: string, choice: { examId?: string | undefined }, context: RequestContext, launchUrl: string): Promise<DeepLinkAnswer> {
    const { row, tenant, registration } = await live(token);
    const user = await guard(findUser(db, tenant, row.user_id));
    if (!user || user.status !== 'active' || !canPlace(user)) throw invalid();
    const now = clock();
    // The tool key is loaded (or made) before the transaction: signing inside it then touches no other connection.
    await toolKeys.jwks();
    const { placed, jwt } = await db
      .transaction()
      .execute(async (trx) => {
        const exam = choice.examId === undefined ? undefined : await findExam(trx, tenant, choice.examId, reachOf(user));
        if (choice.examId !== undefined && !exam) throw new AppError('not-found', 'no exam you manage has this id');
        if (!(await useDeepLink(trx, tenant, row.token_hash, now))) throw invalid();
        if (exam && row.class_id) await addCourseClass(trx, tenant, exam.id, row.class_id, user, context);
        await audit.record(
          {
            tenantId: tenant,
            actor: ltiActorOf(user),
            action: exam ? 'lti.deep-link' : 'lti.deep-link-cancel',
            resource: exam ? { type: 'exam', id: exam.id } : { type: 'lti-registration', id: registration.id },
            context,
            detail: { registrationId: registration.id, deploymentId: row.deployment_id, returnOrigin: new URL(row.return_url).origin, classId: row.class_id },
          },
          trx,
        );
        // Signed before the commit: an answer that could not be signed leaves the request unanswered, to be tried again.
        const claims = deepLinkingResponseClaims({
          clientId: registration.client_id,
          issuer: registration.issuer,
          deploymentId: row.deployment_id,
          nonce: randomToken(),
          data: row.data,
          launchUrl,
          exam: exam ? { id: exam.id, title: exam.title, maxScore: exam.max_score } : undefined,
          acceptLineItem: row.accept_lineitem,
        });
        return { placed: exam, jwt: await toolKeys.sign(claims, { expiresInS: RESPONSE_TTL_S, now }) };
      })
      .catch((err: unknown) => (err instanceof AppError ? Promise.reject(err) : rethrowUnavailable(err)));
    return returnPage({
      returnUrl: row.return_url,
      jwt,
      title: placed ? `“${placed.title}” is being added to the course.` : 'Nothing was added to the course.',
      frameOrigins: registration.frame_origins,
    });
  }

  /** Puts the course's class on the exam (as a teacher's launch of its link does), so the course's learners may take it. */
  async function addCourseClass(trx: Kysely<DB>, tenant: TenantId, examId: string, classId: string, user: UserRow, context: RequestContext) {
    const current = (await examClassIds(trx, tenant, [examId])).get(examId) ?? [];
    if (current.includes(classId)) return;
    await setExamClasses(trx, tenant, examId, [...current, classId]);
    await audit.record(
      { tenantId: tenant, actor: ltiActorOf(user), action: 'lti.exam-class-add', resource: { type: 'exam', id: examId }, context, detail: { classId } },
      trx,
    );
  }

  return { view, respond };
}
export type LtiDeepLinking = ReturnType<typeof createLtiDeepLinking>;
