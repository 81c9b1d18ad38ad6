import { randomUUID } from 'node:crypto';
import type { UserActor } from '../../kernel/actor';
import { tenantId, tenantScope, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findUserByEmailForSignIn, findUserByOidcSubject, insertUser, updateUser, type UserRow } from '../people';
import type { Identity } from './oidc-client';
import type { OidcProviderRow } from './sso.repository';
import { refuse, SsoRefusal } from './sso-refusal';

const ASK_ADMIN = 'ask your institution’s administrator to invite you';

/** The person an SSO sign-in is about, as the audit records them. */
export const ssoActorOf = (user: UserRow): UserActor => ({
  kind: 'user',
  userId: user.id,
  tenantId: tenantId(user.tenant_id),
  role: user.role,
  via: 'oidc',
  scope: tenantScope(user.tenant_id),
});

const usable = (user: UserRow): UserRow =>
  user.status === 'active' ? user : refuse('account-disabled', 'disabled', 'this account is disabled; ask your institution’s administrator');

/**
 * The account of `tenant` an identity signs into: the one linked to its subject; else the tenant's
 * account with the address the provider vouches for (email_verified), if not linked to another
 * subject yet, which it links; else a new student when the tenant lets the provider create accounts.
 * Only ever an account of `tenant`: the one the sign-in was started for.
 */
export async function resolveAccount(
  { database, audit }: { database: Database; audit: AuditService },
  tenant: TenantId,
  provider: OidcProviderRow,
  identity: Identity,
  context: RequestContext,
): Promise<UserRow> {
  const db = database.db;
  const linked = await guard(findUserByOidcSubject(db, tenant, identity.sub));
  if (linked) return usable(linked);

  const verifiedEmail = identity.emailVerified ? identity.email : undefined;
  const byEmail = verifiedEmail ? await guard(findUserByEmailForSignIn(db, verifiedEmail)) : undefined;
  if (byEmail && byEmail.tenant_id === tenant) {
    if (byEmail.oidc_subject !== null) refuse('sso-no-account', 'linked-to-another-subject', 'this account is linked to another identity at your provider');
    usable(byEmail);
    return link(byEmail);
  }
  // Addresses are unique across institutions: another institution's account is never this one's.
  if (byEmail) refuse('sso-no-account', 'email-of-another-institution', `no account of this institution is linked to you; ${ASK_ADMIN}`);
  if (!provider.create_users) refuse('sso-no-account', 'no-account', `no account of this institution is linked to you; ${ASK_ADMIN}`);
  if (!verifiedEmail) refuse('sso-no-account', 'email-unverified', `your provider did not vouch for an email address, which a new account needs; ${ASK_ADMIN}`);
  return create(verifiedEmail);

  async function link(user: UserRow): Promise<UserRow> {
    return db
      .transaction()
      .execute(async (trx) => {
        const updated = (await updateUser(trx, tenant, user.id, { oidc_subject: identity.sub })) ?? user;
        await audit.record(
          {
            tenantId: tenant,
            actor: ssoActorOf(updated),
            action: 'auth.sso.link',
            resource: { type: 'user', id: user.id },
            context,
            detail: { issuer: identity.issuer, sub: identity.sub, email: user.email },
          },
          trx,
        );
        return updated;
      })
      .catch(taken);
  }

  async function create(email: string): Promise<UserRow> {
    return db
      .transaction()
      .execute(async (trx) => {
        const user = await insertUser(trx, {
          id: randomUUID(),
          tenant_id: tenant,
          email,
          display_name: identity.name ?? email.split('@')[0]!,
          role: 'student',
          password_hash: null,
          oidc_subject: identity.sub,
          enrollment_id: null,
          department: null,
        });
        await audit.record(
          {
            tenantId: tenant,
            actor: ssoActorOf(user),
            action: 'auth.sso.user-create',
            resource: { type: 'user', id: user.id },
            context,
            detail: { issuer: identity.issuer, sub: identity.sub, email: user.email, role: user.role },
          },
          trx,
        );
        return user;
      })
      .catch(taken);
  }
}

/** Two sign-ins of one person at once: the second meets the unique subject or address and is refused (the first signed in). */
function taken(err: unknown): never {
  if (err instanceof SsoRefusal) throw err;
  if ((err as { code?: unknown }).code === '23505')
    refuse('sso-no-account', 'taken-concurrently', 'another sign-in for this account was in progress; try again');
  rethrowUnavailable(err);
}
