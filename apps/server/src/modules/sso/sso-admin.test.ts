import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { tenantId } from '../../kernel/scope';
import { findUser, type TenantRow } from '../people';
import { callbackUrlOf, listening, start, useProvider } from './testing/sso-flow';
import { startTestProvider, type TestProvider } from './testing/test-provider';
import { auditedAction } from '../../testing/linked-audit';

/** Issue 10: an administrator configures their institution's OpenID Connect provider. */

const CLIENT = { clientId: 'veritas', clientSecret: 'a-secret-nobody-may-read-0123456789' };

let t: TestApp;
let base: string;
let op: TestProvider;
let elsewhere: TestProvider;

beforeAll(async () => {
  t = await createTestApp();
  base = await listening(t.app);
  op = await startTestProvider({ clients: [{ ...CLIENT, redirectUris: [callbackUrlOf(base)] }] });
  elsewhere = await startTestProvider({ clients: [{ ...CLIENT, redirectUris: [callbackUrlOf(base)] }] });
});
afterAll(async () => {
  await op?.close();
  await elsewhere?.close();
  await t?.close();
});

const db = () => t.app.services.database.db;
const sso = (person: Person | undefined, method: 'GET' | 'PUT' | 'DELETE' = 'GET', payload?: object) =>
  t.app.inject({ method, url: '/v1/admin/sso', headers: person ? person.headers : {}, ...(payload ? { payload } : {}) });
const audited = (tenant: TenantRow, action: string) => auditedAction(t.app.services, action, tenant.id);

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function institution() {
  const tenant = await buildTenant(t.app);
  return { tenant, admin: await buildPerson(t.app, tenant, 'admin') };
}

describe(`SSO settings (${TEST_DB})`, () => {
  it('lets an admin set, read and remove the provider: the secret is never shown, the audit never holds it', async () => {
    const { tenant, admin } = await institution();
    const before = await sso(admin);
    expect(before.json()).toEqual({
      configured: false,
      issuer: null,
      clientId: null,
      clientSecretSet: false,
      scopes: 'openid email profile',
      createUsers: false,
      redirectUri: `${base}/v1/auth/sso/callback`,
      signInUrl: `${base}/v1/auth/sso/${tenant.slug}/start`,
    });

    const put = await sso(admin, 'PUT', { issuer: op.issuer, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, createUsers: true });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ configured: true, issuer: op.issuer, clientId: 'veritas', clientSecretSet: true, createUsers: true });
    expect(put.body).not.toContain(CLIENT.clientSecret);
    expect((await sso(admin)).json()).toEqual(put.json());

    // Omitted, the secret is kept; null removes it; the scopes keep openid first-class.
    const kept = await sso(admin, 'PUT', { issuer: `${op.issuer}/`, clientId: 'veritas', scopes: 'openid  email' });
    expect(kept.json()).toMatchObject({ clientSecretSet: true, scopes: 'openid email', createUsers: true, issuer: op.issuer });
    expect((await sso(admin, 'PUT', { issuer: op.issuer, clientId: 'veritas', clientSecret: null, createUsers: false })).json()).toMatchObject({
      clientSecretSet: false,
      createUsers: false,
    });

    const updates = await audited(tenant, 'sso.config.update');
    expect(updates.map((u) => u.detail.clientSecret)).toEqual(['set', 'kept', 'none']);
    expect(updates[0]).toMatchObject({ actor_id: admin.user.id, detail: { issuer: op.issuer, clientId: 'veritas', created: true } });
    expect(JSON.stringify(updates)).not.toContain(CLIENT.clientSecret);

    const removed = await sso(admin, 'DELETE');
    expect(removed.statusCode).toBe(204);
    expect((await sso(admin)).json()).toMatchObject({ configured: false, issuer: null });
    expect(await audited(tenant, 'sso.config.delete')).toHaveLength(1);
    expect((await sso(admin, 'DELETE')).statusCode).toBe(204);
    expect(await audited(tenant, 'sso.config.delete')).toHaveLength(1);
  });

  it('is for admins of their own institution: teacher, observer and student 403, no token 401', async () => {
    const { tenant, admin } = await institution();
    expect((await sso(admin, 'PUT', { issuer: op.issuer, clientId: 'veritas', clientSecret: CLIENT.clientSecret })).statusCode).toBe(200);
    for (const role of ['teacher', 'observer', 'student'] as const) {
      const person = await buildPerson(t.app, tenant, role);
      for (const method of ['GET', 'PUT', 'DELETE'] as const) {
        const r = await sso(person, method, method === 'PUT' ? { issuer: elsewhere.issuer, clientId: 'x' } : undefined);
        expect(r.statusCode, `${role} ${method}`).toBe(403);
        expect(r.json().type).toBe('urn:veritas:problem:forbidden');
      }
    }
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const r = await sso(undefined, method, method === 'PUT' ? { issuer: elsewhere.issuer, clientId: 'x' } : undefined);
      expect(r.statusCode, method).toBe(401);
    }

    // Another institution's admin sees, sets and removes only theirs.
    const other = await institution();
    expect((await sso(other.admin)).json()).toMatchObject({ configured: false, signInUrl: expect.stringContaining(other.tenant.slug) });
    expect((await sso(other.admin, 'PUT', { issuer: elsewhere.issuer, clientId: 'veritas' })).statusCode).toBe(200);
    expect((await sso(other.admin, 'DELETE')).statusCode).toBe(204);
    expect((await sso(admin)).json()).toMatchObject({ configured: true, issuer: op.issuer, clientSecretSet: true });
  });

  it('refuses malformed settings (400) and checks the issuer: unreachable or not an OpenID Connect issuer is a 400, never a 500', async () => {
    const { admin } = await institution();
    const cases: [string, object, string][] = [
      ['no client id', { issuer: op.issuer }, 'invalid-request'],
      ['an unknown field', { issuer: op.issuer, clientId: 'x', tenant: 'other' }, 'invalid-request'],
      ['createUsers as text', { issuer: op.issuer, clientId: 'x', createUsers: 'yes' }, 'invalid-request'],
      ['an empty client id', { issuer: op.issuer, clientId: '' }, 'invalid-request'],
      ['scopes without openid', { issuer: op.issuer, clientId: 'x', scopes: 'email profile' }, 'invalid-request'],
      ['scopes with a quote', { issuer: op.issuer, clientId: 'x', scopes: 'openid "email"' }, 'invalid-request'],
      ['an issuer that is no URL', { issuer: 'accounts', clientId: 'x' }, 'sso-issuer-invalid'],
      ['plain http elsewhere than this machine', { issuer: 'http://idp.example.com', clientId: 'x' }, 'sso-issuer-invalid'],
      ['an issuer with a query', { issuer: `${op.issuer}?tenant=1`, clientId: 'x' }, 'sso-issuer-invalid'],
      ['an issuer with credentials', { issuer: op.issuer.replace('http://', 'http://u:p@'), clientId: 'x' }, 'sso-issuer-invalid'],
      ['a javascript: issuer', { issuer: 'javascript:alert(1)', clientId: 'x' }, 'sso-issuer-invalid'],
    ];
    for (const [what, body, type] of cases) {
      const r = await sso(admin, 'PUT', body);
      expect(r.statusCode, `${what}: ${r.body}`).toBe(400);
      expect(r.json().type, what).toBe(`urn:veritas:problem:${type}`);
    }

    const unreachable = await sso(admin, 'PUT', { issuer: `http://127.0.0.1:${await closedPort()}`, clientId: 'x' });
    expect(unreachable.statusCode, unreachable.body).toBe(400);
    expect(unreachable.json()).toMatchObject({ type: 'urn:veritas:problem:sso-issuer-invalid', detail: expect.stringMatching(/could not be reached/) });
    // This server has no discovery document; the provider reached as localhost names itself differently.
    for (const issuer of [base, op.issuer.replace('127.0.0.1', 'localhost')]) {
      const r = await sso(admin, 'PUT', { issuer, clientId: 'x' });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json()).toMatchObject({
        type: 'urn:veritas:problem:sso-issuer-invalid',
        detail: expect.stringMatching(/not an OpenID Connect discovery document/),
      });
    }
    expect((await sso(admin)).json()).toMatchObject({ configured: false });
  });

  it('a new issuer unlinks every account from the old subjects and ends the sign-ins in flight', async () => {
    const { tenant, admin } = await institution();
    await useProvider(t.app, tenant, op, CLIENT);
    const { user } = await buildPerson(t.app, tenant, 'student', { oidc_subject: 'shared-sub' });
    await start(base, tenant.slug);
    const inFlight = () => db().selectFrom('oidc_logins').selectAll().where('tenant_id', '=', tenant.id).execute();
    expect(await inFlight()).toHaveLength(1);

    // The same issuer again changes nothing of the sort.
    expect((await sso(admin, 'PUT', { issuer: op.issuer, clientId: 'veritas', createUsers: true })).statusCode).toBe(200);
    expect((await findUser(db(), tenantId(tenant.id), user.id))?.oidc_subject).toBe('shared-sub');
    expect(await inFlight()).toHaveLength(1);

    expect((await sso(admin, 'PUT', { issuer: elsewhere.issuer, clientId: 'veritas', clientSecret: CLIENT.clientSecret })).statusCode).toBe(200);
    expect((await findUser(db(), tenantId(tenant.id), user.id))?.oidc_subject).toBeNull();
    expect(await inFlight()).toEqual([]);
    const changed = (await audited(tenant, 'sso.config.update')).at(-1);
    expect(changed?.detail).toMatchObject({ issuer: elsewhere.issuer, previousIssuer: op.issuer, unlinkedAccounts: 1 });
  });
});
