import { randomUUID } from 'node:crypto';
import type { Actor, Role, UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId as asTenantId, type TenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findTenantById, findUser, findUserByEmailForSignIn, insertUser, normalEmail, updateUser, type TenantRow, type UserRow } from '../people';
import { findLink, findLinkByHash, insertLink, pendingLinks, revokeLink, revokeOpenLinks, spendLink, type OneTimeLinkRow } from './one-time-links.repository';
import { checkPasswordPolicy, type PasswordHasher } from './passwords';
import { revokeUserRefreshTokens } from './refresh-tokens.repository';
import { randomToken, tokenHash } from './secret-tokens';
import { actorOf, type SignedIn } from './sign-in.service';

/** An invitation is good for a week; a password reset for an hour (it is a credential for an existing account). */
export const INVITATION_TTL_S = 7 * 24 * 3600;
export const RESET_TTL_S = 3600;

/** A link just made: its row and its URL, which holds the only copy of the token (shown once). */
export interface IssuedLink {
  link: OneTimeLinkRow;
  url: string;
}

export interface InvitationInput {
  email: string;
  role: Role;
  displayName?: string;
}

export interface LinksDeps {
  database: Database;
  audit: AuditService;
  hasher: PasswordHasher;
  clock: () => Date;
  signIn(user: UserRow, via: 'password', context: RequestContext): Promise<SignedIn>;
}

/** Two invitations of one address accepted at once: the second meets the unique address, a conflict like any taken one. */
function takenToConflict(err: unknown): never {
  if ((err as { code?: unknown }).code === '23505') throw new AppError('conflict', 'an account with this email address already exists; sign in instead');
  throw err;
}

const urlOf = (base: string, token: string) => `${base.replace(/\/$/, '')}/accept/${token}`;

/** Invitations and password resets: single use, expiring, stored as the SHA-256 of their token. */
export function createLinks({ database, audit, hasher, clock, signIn }: LinksDeps) {
  const db = database.db;

  /** Invites an address into a tenant with a role; an earlier open invitation for it stops working. */
  async function invite(by: Actor, tenant: TenantId, input: InvitationInput, base: string, context: RequestContext): Promise<IssuedLink> {
    const email = normalEmail(input.email);
    const existing = await findUserByEmailForSignIn(db, email).catch(rethrowUnavailable);
    // Only this tenant's people are named here: an admin learns nothing about other institutions' addresses.
    if (existing && existing.tenant_id === tenant) throw new AppError('conflict', 'a person with this email address already has an account here');
    const token = randomToken();
    const now = clock();
    const link = await db
      .transaction()
      .execute(async (trx) => {
        await revokeOpenLinks(trx, tenant, 'invitation', { email }, now);
        const row = await insertLink(trx, {
          id: randomUUID(),
          tenant_id: tenant,
          kind: 'invitation',
          email,
          role: input.role,
          user_id: null,
          display_name: input.displayName?.trim() || null,
          token_hash: tokenHash(token),
          created_by: by.kind === 'user' ? by.userId : null,
          expires_at: new Date(now.getTime() + INVITATION_TTL_S * 1000),
        });
        await audit.record(
          { tenantId: tenant, actor: by, action: 'user.invite', resource: { type: 'invitation', id: row.id }, context, detail: { email, role: input.role } },
          trx,
        );
        return row;
      })
      .catch(rethrowUnavailable);
    return { link, url: urlOf(base, token) };
  }

  const listInvitations = (tenant: TenantId) => pendingLinks(db, tenant, 'invitation', clock()).catch(rethrowUnavailable);

  async function revokeInvitation(by: UserActor, id: string, context: RequestContext): Promise<void> {
    const link = await findLink(db, by.tenantId, 'invitation', id).catch(rethrowUnavailable);
    if (!link) throw new AppError('not-found', 'no such invitation');
    if (link.used_at !== null) throw new AppError('conflict', 'this invitation was already accepted');
    if (link.revoked_at !== null) return;
    await db
      .transaction()
      .execute(async (trx) => {
        await revokeLink(trx, by.tenantId, id, clock());
        await audit.record(
          { tenantId: by.tenantId, actor: by, action: 'invitation.revoke', resource: { type: 'invitation', id }, context, detail: { email: link.email } },
          trx,
        );
      })
      .catch(rethrowUnavailable);
  }

  /** A link that sets a new password for a person of the admin's tenant (another tenant's person: 404). */
  async function passwordReset(by: UserActor, userId: string, base: string, context: RequestContext): Promise<IssuedLink> {
    const user = await findUser(db, by.tenantId, userId).catch(rethrowUnavailable);
    if (!user) throw new AppError('not-found', 'no such user');
    // A disabled account signs in with no password: enabling it again comes first.
    if (user.status !== 'active') throw new AppError('conflict', 'this account is disabled; enable it before resetting its password');
    const token = randomToken();
    const now = clock();
    const link = await db
      .transaction()
      .execute(async (trx) => {
        await revokeOpenLinks(trx, by.tenantId, 'password-reset', { userId }, now);
        const row = await insertLink(trx, {
          id: randomUUID(),
          tenant_id: by.tenantId,
          kind: 'password-reset',
          email: user.email,
          role: null,
          user_id: user.id,
          token_hash: tokenHash(token),
          created_by: by.userId,
          expires_at: new Date(now.getTime() + RESET_TTL_S * 1000),
        });
        await audit.record(
          { tenantId: by.tenantId, actor: by, action: 'user.password-reset-link', resource: { type: 'user', id: user.id }, context, detail: { link: row.id } },
          trx,
        );
        return row;
      })
      .catch(rethrowUnavailable);
    return { link, url: urlOf(base, token) };
  }

  /** The link a token opens, while it is usable; `link-invalid` (410) otherwise, whatever the reason. */
  async function open(token: string): Promise<{ link: OneTimeLinkRow; tenant: TenantRow }> {
    const link = await findLinkByHash(db, tokenHash(token)).catch(rethrowUnavailable);
    if (!link || link.used_at !== null || link.revoked_at !== null || link.expires_at <= clock()) throw new AppError('link-invalid');
    const tenant = await findTenantById(db, link.tenant_id).catch(rethrowUnavailable);
    if (!tenant) throw new AppError('link-invalid');
    return { link, tenant };
  }

  /**
   * Uses a link: an invitation creates the account, a reset sets the password and ends every sign-in
   * of the person; then the person is signed in. The link is spent in the same transaction, so two
   * requests with one link make one account.
   */
  async function accept(token: string, input: { password: string; displayName?: string }, context: RequestContext): Promise<SignedIn> {
    const { link } = await open(token);
    checkPasswordPolicy(input.password);
    const passwordHash = await hasher.hash(input.password);
    const tenant = asTenantId(link.tenant_id);
    const now = clock();
    const user = await db
      .transaction()
      .execute(async (trx) => {
        if (!(await spendLink(trx, link.id, now))) throw new AppError('link-invalid');
        let person: UserRow | undefined;
        if (link.kind === 'invitation') {
          if (await findUserByEmailForSignIn(trx, link.email))
            throw new AppError('conflict', 'an account with this email address already exists; sign in instead');
          person = await insertUser(trx, {
            id: randomUUID(),
            tenant_id: tenant,
            email: link.email,
            display_name: input.displayName?.trim() || link.display_name || link.email.split('@')[0]!,
            role: link.role as Role,
            password_hash: passwordHash,
            oidc_subject: null,
            enrollment_id: null,
            department: null,
          }).catch(takenToConflict);
        } else {
          const target = link.user_id ? await findUser(trx, tenant, link.user_id) : undefined;
          if (!target || target.status !== 'active') throw new AppError('link-invalid');
          person = (await updateUser(trx, tenant, target.id, { password_hash: passwordHash })) ?? target;
          await revokeUserRefreshTokens(trx, tenant, person.id, now);
        }
        const action = link.kind === 'invitation' ? 'invitation.accept' : 'user.password-reset';
        await audit.record(
          { tenantId: tenant, actor: actorOf(person, 'password'), action, resource: { type: 'user', id: person.id }, context, detail: { link: link.id } },
          trx,
        );
        return person;
      })
      .catch(rethrowUnavailable);
    return signIn(user, 'password', context);
  }

  return { invite, listInvitations, revokeInvitation, passwordReset, open, accept };
}

export type LinksService = ReturnType<typeof createLinks>;
