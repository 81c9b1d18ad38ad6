import { randomUUID } from 'node:crypto';
import type { AuthMethod, UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId, tenantScope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findUser, findUserByEmailForSignIn, normalEmail, updateUser, type UserRow } from '../people';
import type { AccessTokens } from './access-tokens';
import type { LoginThrottle } from './login-throttle';
import type { PasswordHasher } from './passwords';
import { findRefreshToken, insertRefreshToken, revokeRefreshFamily, spendRefreshToken, type RefreshTokenRow } from './refresh-tokens.repository';
import { randomToken, tokenHash } from './secret-tokens';

/** A refresh token lives 30 days from when it was issued; each refresh issues a new one (sliding). */
export const REFRESH_TOKEN_TTL_S = 30 * 24 * 3600;

/** What a sign-in gives: a short-lived access token, a refresh token for its family, and a CSRF token for the cookie flow. */
export interface SignedIn {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  csrfToken: string;
  user: UserRow;
  /** How the person proved who they are (kept across refreshes). */
  authMethod: AuthMethod;
}

export interface SignInDeps {
  database: Database;
  accessTokens: AccessTokens;
  audit: AuditService;
  hasher: PasswordHasher;
  clock: () => Date;
}

/** The person as the audit and the policy see them. */
export const actorOf = (user: UserRow, via: AuthMethod): UserActor => ({
  kind: 'user',
  userId: user.id,
  tenantId: tenantId(user.tenant_id),
  role: user.role,
  via,
  scope: tenantScope(user.tenant_id),
});

const ANONYMOUS = { kind: 'anonymous' } as const;

export function createSignIn({ database, accessTokens, audit, hasher, clock }: SignInDeps) {
  const db = database.db;
  let dummy: Promise<string> | undefined;
  /** A hash of nothing anyone knows, with the real parameters: what an unknown address is verified against. */
  const dummyHash = () => (dummy ??= hasher.hash(randomToken()));

  /**
   * A new refresh token of a family, stored in `trx`, with an access token naming the family (`sid`)
   * signed beforehand: signing may store the first signing key, which must not wait for `trx`
   * (the embedded database has one connection).
   */
  async function issue(user: UserRow, via: AuthMethod, familyId: string, now: Date) {
    const { token, expiresIn } = await accessTokens.issue(user, via, familyId);
    const refreshToken = randomToken();
    const tokens: Omit<SignedIn, 'user'> = { accessToken: token, expiresIn, refreshToken, csrfToken: randomToken(), authMethod: via };
    const store = (trx: typeof db) =>
      insertRefreshToken(trx, {
        id: randomUUID(),
        tenant_id: user.tenant_id,
        user_id: user.id,
        family_id: familyId,
        token_hash: tokenHash(refreshToken),
        auth_method: via,
        expires_at: new Date(now.getTime() + REFRESH_TOKEN_TTL_S * 1000),
      });
    return { tokens, store };
  }

  /** Signs a person in (password, link or SSO): a new refresh-token family, audited. A disabled account never signs in. */
  async function signIn(user: UserRow, via: AuthMethod, context: RequestContext): Promise<SignedIn> {
    if (user.status !== 'active') throw new AppError('invalid-login');
    const now = clock();
    const { tokens, store } = await issue(user, via, randomUUID(), now);
    return db
      .transaction()
      .execute(async (trx) => {
        await store(trx);
        const updated = (await updateUser(trx, tenantId(user.tenant_id), user.id, { last_sign_in_at: now })) ?? user;
        await audit.record(
          {
            tenantId: user.tenant_id,
            actor: actorOf(updated, via),
            action: 'auth.sign-in',
            resource: { type: 'user', id: user.id },
            context,
            detail: { method: via },
          },
          trx,
        );
        return { ...tokens, user: updated };
      })
      .catch(rethrowUnavailable);
  }

  /**
   * Email and password. An unknown address, a wrong password, a disabled account and an account with
   * no password (SSO only) all cost one argon2 verification and answer the same `invalid-login`.
   */
  async function login(input: { email: string; password: string }, context: RequestContext, throttle: LoginThrottle): Promise<SignedIn> {
    await throttle.check(input.email, context.ip);
    const fallback = await dummyHash();
    const user = await findUserByEmailForSignIn(db, input.email).catch(rethrowUnavailable);
    const matches = await hasher.verify(user?.password_hash ?? fallback, input.password);
    if (user && user.password_hash && matches && user.status === 'active') return signIn(user, 'password', context);
    await throttle.failed(input.email, context.ip);
    const reason = !user ? 'unknown-email' : user.status !== 'active' ? 'disabled' : !user.password_hash ? 'no-password' : 'wrong-password';
    await audit.record({
      tenantId: user?.tenant_id ?? null,
      actor: ANONYMOUS,
      action: 'auth.sign-in-failed',
      resource: { type: 'user', id: user?.id ?? null },
      context,
      detail: { email: normalEmail(input.email), reason },
    });
    throw new AppError('invalid-login');
  }

  async function usableToken(refreshToken: string): Promise<RefreshTokenRow> {
    const row = await findRefreshToken(db, tokenHash(refreshToken)).catch(rethrowUnavailable);
    if (!row || row.revoked_at !== null || row.expires_at <= clock())
      throw new AppError('invalid-credential', 'the refresh token is unknown, revoked or expired; sign in again');
    return row;
  }

  async function refused(row: RefreshTokenRow, action: string, context: RequestContext, code: 'refresh-reused' | 'invalid-credential'): Promise<never> {
    const now = clock();
    await db
      .transaction()
      .execute(async (trx) => {
        await revokeRefreshFamily(trx, row.tenant_id, row.family_id, now);
        await audit.record(
          { tenantId: row.tenant_id, actor: ANONYMOUS, action, resource: { type: 'user', id: row.user_id }, context, detail: { family: row.family_id } },
          trx,
        );
      })
      .catch(rethrowUnavailable);
    throw new AppError(code);
  }

  /**
   * Rotates a refresh token: it is spent, and a new one of the same family comes back with an access
   * token carrying the person's current role. A token presented twice revokes its whole family (a copy
   * of it is in someone else's hands). Routine refreshes are not audited: one every 15 minutes per
   * person would drown the log; sign-in, reuse, refusals and sign-out are.
   */
  async function refresh(refreshToken: string, context: RequestContext): Promise<SignedIn> {
    const row = await usableToken(refreshToken);
    if (row.used_at !== null) return refused(row, 'auth.refresh-reused', context, 'refresh-reused');
    const user = await findUser(db, tenantId(row.tenant_id), row.user_id).catch(rethrowUnavailable);
    if (!user || user.status !== 'active') return refused(row, 'auth.refresh-refused', context, 'invalid-credential');
    const via: AuthMethod = row.auth_method === 'oidc' || row.auth_method === 'lti' ? row.auth_method : 'password';
    const now = clock();
    const { tokens, store } = await issue(user, via, row.family_id, now);
    const spent = await db
      .transaction()
      .execute(async (trx) => {
        if (!(await spendRefreshToken(trx, row.id, now))) return false;
        await store(trx);
        return true;
      })
      .catch(rethrowUnavailable);
    // Spent in the meantime by another request with the same token: that is a reuse too.
    if (!spent) return refused(row, 'auth.refresh-reused', context, 'refresh-reused');
    return { ...tokens, user };
  }

  /** Ends the sign-in a refresh token belongs to (its whole family). Unknown or already revoked: nothing to do. */
  async function logout(refreshToken: string, context: RequestContext): Promise<void> {
    const row = await findRefreshToken(db, tokenHash(refreshToken)).catch(rethrowUnavailable);
    if (!row || row.revoked_at !== null) return;
    const user = await findUser(db, tenantId(row.tenant_id), row.user_id).catch(rethrowUnavailable);
    const via: AuthMethod = row.auth_method === 'oidc' || row.auth_method === 'lti' ? row.auth_method : 'password';
    await db
      .transaction()
      .execute(async (trx) => {
        await revokeRefreshFamily(trx, row.tenant_id, row.family_id, clock());
        await audit.record(
          {
            tenantId: row.tenant_id,
            actor: user ? actorOf(user, via) : ANONYMOUS,
            action: 'auth.sign-out',
            resource: { type: 'user', id: row.user_id },
            context,
          },
          trx,
        );
      })
      .catch(rethrowUnavailable);
  }

  return { signIn, login, refresh, logout, dummyHash };
}
