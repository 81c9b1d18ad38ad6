import type { AuthMethod, UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import { findTenantById, findUser, updateUser, type TenantRow, type UserRow } from '../people';
import type { LoginThrottle } from './login-throttle';
import { checkPasswordPolicy, type PasswordHasher } from './passwords';
import { revokeUserRefreshTokens } from './refresh-tokens.repository';

/** A person with their institution, and how they signed in: what `GET /v1/me` presents. */
export interface Profile {
  user: UserRow;
  tenant: TenantRow;
  authMethod: AuthMethod;
}

export interface ProfileChanges {
  displayName?: string;
  newPassword?: string;
  currentPassword?: string;
}

export interface ProfileDeps {
  database: Database;
  audit: AuditService;
  hasher: PasswordHasher;
  clock: () => Date;
  /** What the current password is checked against when the person has none (an SSO account): same cost, never a match. */
  dummyHash: () => Promise<string>;
}

export function createProfiles({ database, audit, hasher, clock, dummyHash }: ProfileDeps) {
  const db = database.db;

  async function profileOf(user: UserRow, authMethod: AuthMethod): Promise<Profile> {
    const tenant = await findTenantById(db, user.tenant_id).catch(rethrowUnavailable);
    if (!tenant) throw new Error(`user ${user.id} names a tenant that does not exist`);
    return { user, tenant, authMethod };
  }

  /** The signed-in person's own row; an account removed or disabled since the token was issued no longer counts. */
  async function current(actor: UserActor): Promise<UserRow> {
    const user = await findUser(db, actor.tenantId, actor.userId).catch(rethrowUnavailable);
    if (!user || user.status !== 'active') throw new AppError('invalid-credential', 'this account is disabled or no longer exists');
    return user;
  }

  async function me(actor: UserActor): Promise<Profile> {
    return profileOf(await current(actor), actor.via);
  }

  /**
   * Changes one's own name or password. A new password needs the current one (checked with the same
   * throttle as sign-in: a stolen access token does not make a password oracle), and signs the person
   * out of every other sign-in.
   */
  async function updateMe(actor: UserActor, changes: ProfileChanges, context: RequestContext, throttle: LoginThrottle): Promise<Profile> {
    const user = await current(actor);
    const set: { display_name?: string; password_hash?: string } = {};
    if (changes.displayName !== undefined) {
      set.display_name = changes.displayName.trim();
      if (set.display_name === '') throw new AppError('invalid-request', '/body/displayName: must not be blank');
    }
    if (changes.newPassword !== undefined) {
      if (changes.currentPassword === undefined) throw new AppError('invalid-request', 'changing the password needs currentPassword');
      checkPasswordPolicy(changes.newPassword);
      await throttle.check(user.email, context.ip);
      const ok = await hasher.verify(user.password_hash ?? (await dummyHash()), changes.currentPassword);
      if (!ok || !user.password_hash) {
        await throttle.failed(user.email, context.ip);
        await audit.record({ tenantId: user.tenant_id, actor, action: 'user.password-change-refused', resource: { type: 'user', id: user.id }, context });
        throw new AppError('wrong-password');
      }
      set.password_hash = await hasher.hash(changes.newPassword);
    }
    if (Object.keys(set).length === 0) return profileOf(user, actor.via);
    const fields = [...(set.display_name !== undefined ? ['displayName'] : []), ...(set.password_hash ? ['password'] : [])];
    const updated = await db
      .transaction()
      .execute(async (trx) => {
        const row = await updateUser(trx, actor.tenantId, user.id, set);
        if (set.password_hash) await revokeUserRefreshTokens(trx, actor.tenantId, user.id, clock(), actor.signInId);
        await audit.record(
          { tenantId: user.tenant_id, actor, action: 'user.update-self', resource: { type: 'user', id: user.id }, context, detail: { fields } },
          trx,
        );
        return row ?? user;
      })
      .catch(rethrowUnavailable);
    return profileOf(updated, actor.via);
  }

  return { profileOf, me, updateMe };
}
