import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
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
