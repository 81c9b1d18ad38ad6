import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB, UsersTable } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;

/** Addresses are stored and compared lower-cased and trimmed. */
export const normalEmail = (email: string) => email.trim().toLowerCase();

export async function insertUser(db: Kysely<DB>, user: NewUser): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({ ...user, email: normalEmail(user.email) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sign-in looks an address up across tenants (one account per address); nothing else may. */
export async function findUserByEmailForSignIn(db: Kysely<DB>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', normalEmail(email)).executeTakeFirst();
}

/** A user of a tenant; another tenant's id finds nothing, exactly like an unknown one. */
export async function findUser(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

export async function findUserByOidcSubject(db: Kysely<DB>, tenantId: TenantId, subject: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('oidc_subject', '=', subject).executeTakeFirst();
}

export async function updateUser(db: Kysely<DB>, tenantId: TenantId, id: string, changes: Updateable<UsersTable>): Promise<UserRow | undefined> {
  return db.updateTable('users').set(changes).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Where a page of users starts: after this (display name, id). */
export interface UserPosition {
  name: string;
  id: string;
}

export interface ListUsersQuery {
  roles?: readonly UserRow['role'][];
  status?: UserRow['status'];
  /** Matched anywhere in the display name or the address, case-insensitively. */
  q?: string;
  after?: UserPosition;
  limit: number;
}

/** `q` as a LIKE pattern that matches it literally (its %, _ and \ escaped). */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A tenant's users by display name, then id, a page at a time. */
export async function listUsers(db: Kysely<DB>, tenantId: TenantId, q: ListUsersQuery): Promise<UserRow[]> {
  let query = db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
  if (q.roles) query = query.where('role', 'in', q.roles);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.q !== undefined) {
    const pattern = containing(q.q);
    query = query.where((eb) => eb.or([eb('display_name', 'ilike', pattern), eb('email', 'ilike', pattern)]));
  }
  if (q.after) query = query.where(sql<boolean>`(display_name, id) > (${q.after.name}, ${q.after.id})`);
  return query.orderBy('display_name').orderBy('id').limit(q.limit).execute();
}

/** A user of a tenant, its row locked until the transaction ends (a role or status change). */
export async function lockUser(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * A user of a tenant, its row share-locked until the transaction ends: what a class or an observer
 * link is about to rely on (its role) cannot change meanwhile.
 */
export async function findUserForShare(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forShare().executeTakeFirst();
}

/** How many active admins the tenant has. */
export async function countActiveAdmins(db: Kysely<DB>, tenantId: TenantId): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('role', '=', 'admin')
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
