import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildPerson, buildTenant } from '../../testing/people';
import { tenantId } from '../../kernel/scope';
import { findUser, findUserByOidcSubject, type TenantRow } from '../people';
import { callbackUrlOf, listening, refreshWith, start, throughProvider, useProvider, visitCallback, type Callback } from './testing/sso-flow';
import { startTestProvider, type TestAccount, type TestProvider } from './testing/test-provider';
import { linkedAudit } from '../../testing/linked-audit';

/** Issue 10: which account an identity from the provider signs into — and which it never does. */

const CLIENT = { clientId: 'veritas', clientSecret: 'veritas-client-secret-0123456789' };

let t: TestApp;
let base: string;
let op: TestProvider;

beforeAll(async () => {
  t = await createTestApp({ rateLimit: { anonymousPerMinute: 10_000 } });
  base = await listening(t.app);
  op = await startTestProvider({ clients: [{ ...CLIENT, redirectUris: [callbackUrlOf(base)] }] });
});
afterAll(async () => {
  await op?.close();
  await t?.close();
});

const db = () => t.app.services.database.db;
const reasons = async (tenant: TenantRow) =>
  (
    await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .select('detail')
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'auth.sso.sign-in-failed')
      .orderBy('at')
      .execute()
  ).map((r) => r.detail.reason);
const usersOf = (tenant: TenantRow) => db().selectFrom('users').selectAll().where('tenant_id', '=', tenant.id).execute();

let n = 0;
/** A person at the provider (not yet known to Veritas). */
function identity(overrides: Partial<TestAccount> = {}): TestAccount {
  const sub = `person-${++n}-${Math.random().toString(36).slice(2, 8)}`;
  const account = { sub, email: `${sub}@school.test`, emailVerified: true, name: `Grace Hopper ${n}`, ...overrides };
  op.accounts.set(sub, account);
  return account;
}
async function school(createUsers = false) {
  const tenant = await buildTenant(t.app);
  await useProvider(t.app, tenant, op, CLIENT, { createUsers });
  return tenant;
}
const signIn = async (tenant: TenantRow, sub: string): Promise<Callback> => visitCallback(await throughProvider(base, tenant.slug, sub));
async function signedInAs(back: Callback) {
  expect(back.status, JSON.stringify(back.problem)).toBe(302);
  const { accessToken } = (await (await refreshWith(base, back.cookies)).json()) as { accessToken: string };
  return (await (await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } })).json()) as Record<string, unknown>;
}
function refused(back: Callback, type: string) {
  expect(back.status, JSON.stringify(back.problem)).toBe(type === 'account-disabled' || type === 'sso-no-account' ? 403 : 400);
  expect(back.problem?.type).toBe(`urn:veritas:problem:${type}`);
  expect(back.cookies).toEqual({});
}

describe(`which account a provider's identity signs into (${TEST_DB})`, () => {
  it('refuses an unknown person when the institution does not create accounts (403 sso-no-account), and creates nothing', async () => {
    const tenant = await school(false);
    const person = identity();
    refused(await signIn(tenant, person.sub), 'sso-no-account');
    expect(await usersOf(tenant)).toEqual([]);
    expect(await reasons(tenant)).toEqual(['no-account']);
  });

  it('creates a student, named from the claims and linked to the subject, when the institution lets it', async () => {
    const tenant = await school(true);
    const person = identity({ name: '  Katherine Johnson ' });
    const me = await signedInAs(await signIn(tenant, person.sub));
    expect(me).toMatchObject({ role: 'student', displayName: 'Katherine Johnson', email: person.email, authMethod: 'oidc', tenant: { id: tenant.id } });
    const created = await findUserByOidcSubject(db(), tenantId(tenant.id), person.sub);
    expect(created).toMatchObject({ id: me.id, role: 'student', password_hash: null });
    const [entry] = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'auth.sso.user-create')
      .execute();
    expect(entry?.detail).toMatchObject({ issuer: op.issuer, sub: person.sub, role: 'student' });
    // The next sign-in finds the same account.
    expect((await signedInAs(await signIn(tenant, person.sub))).id).toBe(me.id);
    expect(await usersOf(tenant)).toHaveLength(1);

    // An address the provider does not vouch for creates nothing: it would take the address from whoever owns it.
    const unverified = identity({ emailVerified: false });
    refused(await signIn(tenant, unverified.sub), 'sso-no-account');
    const noAddress = identity({ email: undefined });
    refused(await signIn(tenant, noAddress.sub), 'sso-no-account');
    expect(await usersOf(tenant)).toHaveLength(1);
    expect(await reasons(tenant)).toEqual(['email-unverified', 'email-unverified']);
  });

  it('links an existing account by its address only when the provider says the address is verified', async () => {
    const tenant = await school(false);
    const { user } = await buildPerson(t.app, tenant, 'teacher');
    const person = identity({ email: user.email.toUpperCase(), emailVerified: false });
    refused(await signIn(tenant, person.sub), 'sso-no-account');
    expect((await findUser(db(), tenantId(tenant.id), user.id))?.oidc_subject).toBeNull();

    person.emailVerified = true;
    const me = await signedInAs(await signIn(tenant, person.sub));
    expect(me).toMatchObject({ id: user.id, role: 'teacher', authMethod: 'oidc' });
    expect((await findUser(db(), tenantId(tenant.id), user.id))?.oidc_subject).toBe(person.sub);
    const [link] = await (
      await linkedAudit(t.app.services)
    )
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenant.id)
      .where('action', '=', 'auth.sso.link')
      .execute();
    expect(link).toMatchObject({ actor_id: user.id, detail: { issuer: op.issuer, sub: person.sub } });

    // Linked once, the account stays with that subject: another identity with the same address does not take it over.
    const impostor = identity({ email: user.email });
    refused(await signIn(tenant, impostor.sub), 'sso-no-account');
    expect(await reasons(tenant)).toEqual(['no-account', 'linked-to-another-subject']);
  });

  it('refuses a disabled account, linked or found by its address (403 account-disabled), and issues nothing', async () => {
    const tenant = await school(true);
    const person = identity();
    await buildPerson(t.app, tenant, 'student', { oidc_subject: person.sub, status: 'disabled' });
    refused(await signIn(tenant, person.sub), 'account-disabled');
    const byAddress = identity();
    const { user } = await buildPerson(t.app, tenant, 'student', { email: byAddress.email!, status: 'disabled' });
    refused(await signIn(tenant, byAddress.sub), 'account-disabled');
    expect((await findUser(db(), tenantId(tenant.id), user.id))?.oidc_subject).toBeNull();
    expect(await db().selectFrom('refresh_tokens').selectAll().where('tenant_id', '=', tenant.id).execute()).toEqual([]);
    expect(await reasons(tenant)).toEqual(['disabled', 'disabled']);
  });

  it('never signs into another institution than the one the sign-in started for', async () => {
    // Two institutions share one provider and client (one identity service for both).
    const a = await school(true);
    const b = await school(false);
    const person = identity();
    const { user: inB } = await buildPerson(t.app, b, 'teacher', { oidc_subject: person.sub, email: person.email! });

    // Started for A: B's account is neither used, nor linked, nor copied (its address is B's).
    refused(await signIn(a, person.sub), 'sso-no-account');
    expect(await usersOf(a)).toEqual([]);
    expect(await reasons(a)).toEqual(['email-of-another-institution']);
    expect((await findUser(db(), tenantId(b.id), inB.id))?.last_sign_in_at).toBeNull();

    // B's code brought to A's flow: the state names A, and the code's nonce and PKCE binding are B's flow's.
    const aFlow = (await start(base, a.slug)).searchParams.get('state')!;
    const bCallback = new URL(await throughProvider(base, b.slug, person.sub));
    bCallback.searchParams.set('state', aFlow);
    refused(await visitCallback(bCallback.href), 'sso-refused');
    expect(await reasons(a)).toEqual(['email-of-another-institution', 'token-error']);
    expect((await findUser(db(), tenantId(b.id), inB.id))?.last_sign_in_at).toBeNull();

    // Started for B, it signs into B.
    expect(await signedInAs(await signIn(b, person.sub))).toMatchObject({ id: inB.id, tenant: { id: b.id } });
  });
});
