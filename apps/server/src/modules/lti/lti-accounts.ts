import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role, UserActor } from '../../kernel/actor';
import { tenantId, tenantScope, type TenantId } from '../../kernel/scope';
import type { DB } from '../../platform/db/tables';
import type { AuditService, RequestContext } from '../audit';
import { addMember, findUser, findUserByEmailForSignIn, insertClass, insertUser, normalEmail, type UserRow } from '../people';
import { refuse, type LaunchClaims } from './lti-id-token';
import { findAccountUser, findContextClass, insertAccount, insertContext, type LtiRegistrationRow } from './lti.repository';

/** The person a launch is about, as the audit records them. */
export const ltiActorOf = (user: UserRow): UserActor => ({
  kind: 'user',
  userId: user.id,
  tenantId: tenantId(user.tenant_id),
  role: user.role,
  via: 'lti',
  scope: tenantScope(user.tenant_id),
});

/**
 * An address for an LMS user who has none Veritas may use (the platform sent none, or it is another
 * institution's account's): under `.invalid` (RFC 6761), which no mail ever reaches and no person can
 * type to sign in with a password, derived from the registration and the subject so it is stable.
 */
export const ltiAddress = (registrationId: string, sub: string) =>
  `lti-${createHash('sha256').update(`${registrationId}\n${sub}`).digest('hex').slice(0, 24)}@lti.invalid`;

/**
 * The Veritas account of a launch's user, in the registration's tenant only: the one linked to the
 * platform's subject; else the tenant's account with the address the LMS sends (then linked: the
 * tenant's administrator registered this LMS and vouches for its addresses); else a new account with
 * the role the launch maps to and no password. Runs in the caller's transaction.
 */
export async function resolveLtiAccount(
  trx: Kysely<DB>,
  audit: AuditService,
  registration: LtiRegistrationRow,
  claims: LaunchClaims,
  role: Role,
  context: RequestContext,
): Promise<UserRow> {
  const tenant = tenantId(registration.tenant_id);
  const linkedId = await findAccountUser(trx, tenant, registration.id, claims.sub);
  if (linkedId) {
    const linked = await findUser(trx, tenant, linkedId);
    if (linked) return usable(linked);
  }
  const email = claims.email ? normalEmail(claims.email) : undefined;
  const byEmail = email ? await findUserByEmailForSignIn(trx, email) : undefined;
  const user =
    byEmail && byEmail.tenant_id === tenant
      ? usable(byEmail)
      : await insertUser(trx, {
          id: randomUUID(),
          tenant_id: tenant,
          email: email && !byEmail ? email : ltiAddress(registration.id, claims.sub),
          display_name: (claims.name ?? email?.split('@')[0] ?? 'LMS user').slice(0, 200),
          role,
          password_hash: null,
          oidc_subject: null,
          enrollment_id: null,
          department: null,
        });
  await insertAccount(trx, { tenant_id: tenant, registration_id: registration.id, sub: claims.sub, user_id: user.id });
  await audit.record(
    {
      tenantId: tenant,
      actor: ltiActorOf(user),
      action: user === byEmail ? 'lti.account-link' : 'lti.user-create',
      resource: { type: 'user', id: user.id },
      context,
      detail: { registrationId: registration.id, sub: claims.sub, role: user.role },
    },
    trx,
  );
  return user;
}

const usable = (user: UserRow): UserRow =>
  user.status === 'active' ? user : refuse('account-disabled', 'this Veritas account is disabled; ask your institution’s administrator');

/**
 * The class of the launch's course: found by the registration and the context id; made on a teacher's
 * (or admin's) first launch from the course, with them as its teacher. A learner joins it; a learner
 * who launches from a course no teacher has opened Veritas from yet is refused with a word saying so.
 */
export async function resolveLtiClass(
  trx: Kysely<DB>,
  audit: AuditService,
  registration: LtiRegistrationRow,
  claims: LaunchClaims,
  user: UserRow,
  context: RequestContext,
): Promise<string | undefined> {
  if (!claims.context) return undefined;
  const tenant: TenantId = tenantId(registration.tenant_id);
  let classId = await findContextClass(trx, tenant, registration.id, claims.context.id);
  if (!classId) {
    if (user.role === 'student') refuse('course-not-set-up', 'your teacher has not opened Veritas from this course yet: ask them to, then launch again');
    if (user.role !== 'teacher' && user.role !== 'admin') return undefined;
    classId = randomUUID();
    await insertClass(trx, {
      id: classId,
      tenant_id: tenant,
      name: (claims.context.title ?? `LMS course ${claims.context.id}`).slice(0, 200),
      teacher_id: user.id,
    });
    await insertContext(trx, { tenant_id: tenant, registration_id: registration.id, context_id: claims.context.id, class_id: classId });
    await audit.record(
      {
        tenantId: tenant,
        actor: ltiActorOf(user),
        action: 'lti.class-create',
        resource: { type: 'class', id: classId },
        context,
        detail: { registrationId: registration.id, contextId: claims.context.id },
      },
      trx,
    );
  }
  if (user.role === 'student') await addMember(trx, tenant, classId, user.id);
  return classId;
}
