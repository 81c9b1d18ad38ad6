import { randomBytes } from 'node:crypto';
import type { Role } from '../kernel/actor';
import { insertTenant, insertUser, type TenantRow, type UserRow } from '../modules/people';
import type { App } from '../http/app';

/** A tenant (institution) with a unique slug. */
export async function buildTenant(app: App, overrides: Partial<{ slug: string; name: string; host_signals: 'accept' | 'refuse' }> = {}): Promise<TenantRow> {
  const id = `t-${randomBytes(6).toString('hex')}`;
  return insertTenant(app.services.database.db, { id, slug: overrides.slug ?? id, name: overrides.name ?? `Institution ${id}`, ...overrides });
}

export interface Person {
  user: UserRow;
  /** A valid access token for this person, as sign-in would issue. */
  token: string;
  /** `Authorization: Bearer <token>` headers. */
  headers: { authorization: string };
}

/** A person of a tenant with a role, and an access token for them (no password: tests that sign in set one). */
export async function buildPerson(app: App, tenant: TenantRow, role: Role, overrides: Partial<UserRow> = {}): Promise<Person> {
  const id = `u-${randomBytes(6).toString('hex')}`;
  const user = await insertUser(app.services.database.db, {
    id,
    tenant_id: tenant.id,
    email: `${id}@${tenant.slug}.test`,
    display_name: `${role} ${id}`,
    role,
    password_hash: null,
    oidc_subject: null,
    enrollment_id: role === 'student' ? `E-${id}` : null,
    department: role === 'teacher' ? 'Languages' : null,
    ...overrides,
  });
  const { token } = await app.services.accessTokens.issue(user, 'password');
  return { user, token, headers: { authorization: `Bearer ${token}` } };
}
