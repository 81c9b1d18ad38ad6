import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import type { TenantRow } from '../people';
import { argon2Hasher } from './index';

const NEW_PASSWORD = 'a long and new passphrase';
let t: TestApp;
let tenant: TenantRow;
let admin: Person;

beforeAll(async () => {
  t = await createTestApp({ publicUrl: 'https://veritas.school.test' });
  tenant = await buildTenant(t.app, { name: 'Link School' });
  admin = await buildPerson(t.app, tenant, 'admin');
});
afterAll(async () => t?.close());

const invite = (payload: object, by: Person = admin) => t.app.inject({ method: 'POST', url: '/v1/admin/invitations', headers: by.headers, payload });
const tokenOf = (link: string) => link.split('/accept/')[1]!;
const inspect = (token: string) => t.app.inject({ method: 'GET', url: `/v1/auth/links/${token}` });
const accept = (token: string, payload: object = { password: NEW_PASSWORD }) => t.app.inject({ method: 'POST', url: `/v1/auth/links/${token}`, payload });
const login = (email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password, tokenDelivery: 'body' }, remoteAddress: '10.8.0.1' });
const pending = async () =>
  (await t.app.inject({ method: 'GET', url: '/v1/admin/invitations', headers: admin.headers })).json().items as { id: string; email: string }[];
const actions = async () => (await t.app.services.audit.search({ tenantId: tenant.id, limit: 1000 })).map((e) => e.action);
let n = 0;
const address = () => `person${++n}-${Date.now()}@link.test`;

describe('invitations', () => {
  it('are made by an admin, shown once as a link, opened, accepted into an account that then signs in', async () => {
    const email = address();
    const made = await invite({ email: email.toUpperCase(), role: 'teacher', displayName: 'Grace Teacher' });
    expect(made.statusCode, made.body).toBe(201);
    const body = made.json();
    expect(body).toMatchObject({ email, role: 'teacher', displayName: 'Grace Teacher', note: expect.stringMatching(/sends no email/) });
    expect(body.link).toMatch(/^https:\/\/veritas\.school\.test\/accept\/[\w-]{43}$/);
    const days = (new Date(body.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    const listed = await pending();
    expect(listed.find((i) => i.id === body.id)).toMatchObject({ email, role: 'teacher', createdBy: admin.user.id });
    expect(JSON.stringify(listed)).not.toContain(tokenOf(body.link));

    const token = tokenOf(body.link);
    expect((await inspect(token)).json()).toEqual({
      kind: 'invitation',
      email,
      tenantName: 'Link School',
      displayName: 'Grace Teacher',
      expiresAt: body.expiresAt,
    });
    const accepted = await accept(token);
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ tokenType: 'Bearer', user: { email, role: 'teacher', displayName: 'Grace Teacher', tenant: { id: tenant.id } } });
    expect(accepted.cookies.map((c) => c.name).sort()).toEqual(['veritas_csrf', 'veritas_refresh']);
    expect((await login(email, NEW_PASSWORD)).statusCode).toBe(200);
    // Single use, and no longer pending.
    expect((await inspect(token)).statusCode).toBe(410);
    const again = await accept(token, { password: 'another long passphrase' });
    expect(again.statusCode).toBe(410);
    expect(again.json().type).toBe('urn:veritas:problem:link-invalid');
    expect((await pending()).some((i) => i.id === body.id)).toBe(false);
    expect(await actions()).toEqual(expect.arrayContaining(['user.invite', 'invitation.accept', 'auth.sign-in']));
  });

  it('stop working once expired', async () => {
    const body = (await invite({ email: address(), role: 'student' })).json();
    await t.app.services.database.db
      .updateTable('one_time_links')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', body.id)
      .execute();
    expect((await inspect(tokenOf(body.link))).statusCode).toBe(410);
    expect((await accept(tokenOf(body.link))).statusCode).toBe(410);
    expect((await pending()).some((i) => i.id === body.id)).toBe(false);
  });

  it('can be revoked (404 for another institution’s, 409 once accepted), and a newer one replaces an open one', async () => {
    const email = address();
    const first = (await invite({ email, role: 'observer' })).json();
    const second = (await invite({ email, role: 'observer' })).json();
    expect((await inspect(tokenOf(first.link))).statusCode).toBe(410);
    expect((await inspect(tokenOf(second.link))).statusCode).toBe(200);
    const del = (id: string, by: Person = admin) => t.app.inject({ method: 'DELETE', url: `/v1/admin/invitations/${id}`, headers: by.headers });
    const otherAdmin = await buildPerson(t.app, await buildTenant(t.app), 'admin');
    const foreign = await del(second.id, otherAdmin);
    const unknown = await del('no-such-invitation', otherAdmin);
    expect(foreign.statusCode).toBe(404);
    expect({ ...foreign.json(), requestId: 0 }).toEqual({ ...unknown.json(), requestId: 0 });
    expect((await del(second.id)).statusCode).toBe(204);
    expect((await accept(tokenOf(second.link))).statusCode).toBe(410);
    expect(await actions()).toContain('invitation.revoke');

    const third = (await invite({ email: address(), role: 'student' })).json();
    expect((await accept(tokenOf(third.link))).statusCode).toBe(200);
    expect((await del(third.id)).statusCode).toBe(409);
  });

  it('answer 409 for an address that already has an account, and keep the link when the accept is refused', async () => {
    const existing = await buildPerson(t.app, tenant, 'student');
    expect((await invite({ email: existing.user.email, role: 'student' })).statusCode).toBe(409);
    const email = address();
    const body = (await invite({ email, role: 'student' })).json();
    const weak = await accept(tokenOf(body.link), { password: 'short' });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().type).toBe('urn:veritas:problem:weak-password');
    // Meanwhile the address got an account in another institution.
    await buildPerson(t.app, await buildTenant(t.app), 'student', { email });
    const taken = await accept(tokenOf(body.link));
    expect(taken.statusCode).toBe(409);
    expect(taken.json().type).toBe('urn:veritas:problem:conflict');
    expect((await inspect(tokenOf(body.link))).statusCode).toBe(200);
  });

  it('refuse a malformed token with 400 and validate the invitation', async () => {
    expect((await inspect('short')).statusCode).toBe(400);
    expect((await invite({ email: 'not an address', role: 'student' })).statusCode).toBe(400);
    expect((await invite({ email: address(), role: 'principal' })).statusCode).toBe(400);
  });
});

describe('password resets', () => {
  it('set a new password, end every sign-in of the person, and work once within the hour', async () => {
    const { user } = await buildPerson(t.app, tenant, 'teacher', { password_hash: await argon2Hasher.hash('the old passphrase') });
    const before = (await login(user.email, 'the old passphrase')).json();
    const made = await t.app.inject({ method: 'POST', url: `/v1/admin/users/${user.id}/password-reset`, headers: admin.headers });
    expect(made.statusCode, made.body).toBe(201);
    const { link, expiresAt } = made.json();
    const minutes = (new Date(expiresAt).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(59);
    expect(minutes).toBeLessThanOrEqual(60);
    expect((await inspect(tokenOf(link))).json()).toMatchObject({ kind: 'password-reset', email: user.email, tenantName: 'Link School' });
    const used = await accept(tokenOf(link));
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json().user.id).toBe(user.id);
    const refreshed = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken: before.refreshToken } });
    expect(refreshed.statusCode).toBe(401);
    expect((await login(user.email, 'the old passphrase')).statusCode).toBe(401);
    expect((await login(user.email, NEW_PASSWORD)).statusCode).toBe(200);
    expect((await accept(tokenOf(link), { password: 'yet another passphrase' })).statusCode).toBe(410);
    expect(await actions()).toEqual(expect.arrayContaining(['user.password-reset-link', 'user.password-reset']));
  });

  it('answer 404 for a person of another institution exactly as for an unknown id', async () => {
    const other = await buildTenant(t.app);
    const { user: foreigner } = await buildPerson(t.app, other, 'student');
    const reset = (id: string) => t.app.inject({ method: 'POST', url: `/v1/admin/users/${id}/password-reset`, headers: admin.headers });
    const foreign = await reset(foreigner.id);
    const unknown = await reset('u-nobody');
    expect(foreign.statusCode).toBe(404);
    expect({ ...foreign.json(), requestId: 0 }).toEqual({ ...unknown.json(), requestId: 0 });
    const links = await t.app.services.database.db.selectFrom('one_time_links').selectAll().where('user_id', '=', foreigner.id).execute();
    expect(links).toEqual([]);
  });

  it('are refused for a disabled account (409), and a link made before it was disabled no longer works', async () => {
    const { user } = await buildPerson(t.app, tenant, 'student');
    const reset = () => t.app.inject({ method: 'POST', url: `/v1/admin/users/${user.id}/password-reset`, headers: admin.headers });
    const { link } = (await reset()).json();
    await t.app.services.database.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.id).execute();
    expect((await reset()).statusCode).toBe(409);
    expect((await accept(tokenOf(link))).statusCode).toBe(410);
  });
});

describe('who may manage links', () => {
  it('a student, a teacher or an observer gets 403 forbidden on every admin route; no token, 401', async () => {
    const { user } = await buildPerson(t.app, tenant, 'student');
    const routes = [
      { method: 'POST' as const, url: '/v1/admin/invitations', payload: { email: address(), role: 'admin' } },
      { method: 'GET' as const, url: '/v1/admin/invitations' },
      { method: 'DELETE' as const, url: '/v1/admin/invitations/some-id' },
      { method: 'POST' as const, url: `/v1/admin/users/${user.id}/password-reset` },
    ];
    for (const role of ['student', 'teacher', 'observer'] as const) {
      const p = await buildPerson(t.app, tenant, role);
      for (const r of routes) {
        const answer = await t.app.inject({ ...r, headers: p.headers });
        expect(answer.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
        expect(answer.json().type).toBe('urn:veritas:problem:forbidden');
      }
    }
    for (const r of routes) expect((await t.app.inject(r)).statusCode).toBe(401);
    expect(await pending()).not.toContainEqual(expect.objectContaining({ role: 'admin' }));
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the key that signs access tokens', async () => {
    const kid = decodeProtectedHeader(admin.token).kid;
    const r = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(r.statusCode).toBe(200);
    expect(r.json().keys).toContainEqual(expect.objectContaining({ kid, kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' }));
    expect(JSON.stringify(r.json())).not.toMatch(/"d"/);
  });
});
