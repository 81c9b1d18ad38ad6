import type { Insertable, Kysely, Selectable } from 'kysely';
import { takeTransactionLock } from '../../platform/db/transaction-lock';
import type { DB, LtiLoginsTable, LtiRegistrationsTable } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';

export type LtiRegistrationRow = Selectable<LtiRegistrationsTable>;
export type LtiLoginRow = Selectable<LtiLoginsTable>;

export interface RegistrationFields {
  name: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  jwksUrl: string;
  authEndpoint: string;
  tokenEndpoint: string;
  frameOrigins: string[];
}

const columns = (f: RegistrationFields) => ({
  name: f.name,
  issuer: f.issuer,
  client_id: f.clientId,
  deployment_ids: JSON.stringify(f.deploymentIds),
  jwks_url: f.jwksUrl,
  auth_endpoint: f.authEndpoint,
  token_endpoint: f.tokenEndpoint,
  frame_origins: JSON.stringify(f.frameOrigins),
});

export async function listRegistrations(db: Kysely<DB>, tenantId: TenantId): Promise<LtiRegistrationRow[]> {
  return db.selectFrom('lti_registrations').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').limit(100).execute();
}

export async function countRegistrations(db: Kysely<DB>, tenantId: TenantId): Promise<number> {
  const r = await db
    .selectFrom('lti_registrations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function findRegistration(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<LtiRegistrationRow | undefined> {
  return db.selectFrom('lti_registrations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/**
 * A registration by its id alone: the login-initiation URL names it (the LMS calls it without any
 * Veritas credential, and the id is what says which tenant the launch belongs to).
 */
export async function findRegistrationById(db: Kysely<DB>, id: string): Promise<LtiRegistrationRow | undefined> {
  return db.selectFrom('lti_registrations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRegistration(db: Kysely<DB>, tenantId: TenantId, id: string, fields: RegistrationFields): Promise<LtiRegistrationRow> {
  return db
    .insertInto('lti_registrations')
    .values({ id, tenant_id: tenantId, ...columns(fields) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateRegistration(db: Kysely<DB>, tenantId: TenantId, id: string, fields: RegistrationFields, at: Date) {
  return db
    .updateTable('lti_registrations')
    .set({ ...columns(fields), updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteRegistration(db: Kysely<DB>, tenantId: TenantId, id: string): Promise<boolean> {
  const r = await db.deleteFrom('lti_registrations').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertLogin(db: Kysely<DB>, row: Insertable<LtiLoginsTable> & { tenant_id: TenantId }): Promise<void> {
  await db.insertInto('lti_logins').values(row).execute();
}

/** Takes (reads and deletes at once) the login a launch's state names: a state, and its nonce, work once even when two launches race. */
export async function takeLogin(db: Kysely<DB>, state: string): Promise<LtiLoginRow | undefined> {
  return db.deleteFrom('lti_logins').where('state', '=', state).returningAll().executeTakeFirst();
}

export async function purgeExpiredLogins(db: Kysely<DB>, tenantId: TenantId, now: Date): Promise<void> {
  await db.deleteFrom('lti_logins').where('tenant_id', '=', tenantId).where('expires_at', '<=', now).execute();
}

export async function findAccountUser(db: Kysely<DB>, tenantId: TenantId, registrationId: string, sub: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('lti_accounts')
    .select('user_id')
    .where('tenant_id', '=', tenantId)
    .where('registration_id', '=', registrationId)
    .where('sub', '=', sub)
    .executeTakeFirst();
  return r?.user_id;
}

export async function insertAccount(db: Kysely<DB>, row: { tenant_id: TenantId; registration_id: string; sub: string; user_id: string }): Promise<void> {
  await db.insertInto('lti_accounts').values(row).execute();
}

export async function findContextClass(db: Kysely<DB>, tenantId: TenantId, registrationId: string, contextId: string): Promise<string | undefined> {
  const r = await db
    .selectFrom('lti_contexts')
    .select('class_id')
    .where('tenant_id', '=', tenantId)
    .where('registration_id', '=', registrationId)
    .where('context_id', '=', contextId)
    .executeTakeFirst();
  return r?.class_id;
}

export async function insertContext(
  db: Kysely<DB>,
  row: { tenant_id: TenantId; registration_id: string; context_id: string; class_id: string },
): Promise<void> {
  await db.insertInto('lti_contexts').values(row).execute();
}

export async function activeToolKeys(db: Kysely<DB>) {
  return db.selectFrom('lti_tool_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').execute();
}

/**
 * Stores the tool's first key unless an active one exists by the time it holds a transaction-scoped
 * advisory lock: instances that found no key at the same moment take turns, and the later ones find
 * the first one's key instead of adding their own.
 */
export async function insertFirstToolKey(db: Kysely<DB>, key: { kid: string; privateJwk: object; publicJwk: object }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await takeTransactionLock(trx, 'veritas.lti_tool_keys');
    if ((await activeToolKeys(trx)).length > 0) return;
    await trx
      .insertInto('lti_tool_keys')
      .values({ kid: key.kid, private_jwk: JSON.stringify(key.privateJwk), public_jwk: JSON.stringify(key.publicJwk) })
      .execute();
  });
}
