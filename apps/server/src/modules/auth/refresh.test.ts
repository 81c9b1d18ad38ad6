import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant } from '../../testing/people';
import { tenantId } from '../../kernel/scope';
import { updateUser, type TenantRow } from '../people';
import { argon2Hasher } from './index';
import { auditedAction } from '../../testing/linked-audit';

const PASSWORD = 'correct horse battery';
let t: TestApp;
let tenant: TenantRow;
let hashed: string;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await buildTenant(t.app);
  hashed = await argon2Hasher.hash(PASSWORD);
});
afterAll(async () => t?.close());

interface Browser {
  cookies: Record<string, string>;
}

/** Signs a new person in; returns them, the answer, and a browser holding the cookies. */
async function signedIn(role: 'teacher' | 'student' = 'teacher') {
  const { user } = await buildPerson(t.app, tenant, role, { password_hash: hashed });
  const r = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: PASSWORD } });
  expect(r.statusCode, r.body).toBe(200);
  const browser: Browser = { cookies: Object.fromEntries(r.cookies.map((c) => [c.name, c.value])) };
  return { user, answer: r.json(), browser };
}

/** A refresh as the web app makes it: the cookies, and the CSRF cookie echoed in the header (unless `csrf` says otherwise). */
async function browserRefresh(browser: Browser, csrf: string | null = browser.cookies.veritas_csrf!) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/refresh',
    cookies: browser.cookies,
    headers: csrf === null ? {} : { 'x-csrf-token': csrf },
  });
  for (const c of r.cookies) browser.cookies[c.name] = c.value;
  return r;
}

const bodyRefresh = (refreshToken: string) => t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });
const me = (accessToken: string) => t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
const audited = (action: string) => auditedAction(t.app.services, action);

describe('refresh tokens', () => {
  it('rotate from the cookie: a new access token, a new refresh cookie, and the old refresh token spent', async () => {
    const { user, browser } = await signedIn();
    const first = browser.cookies.veritas_refresh!;
    const r = await browserRefresh(browser);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ tokenType: 'Bearer', user: { id: user.id } });
    expect(r.json().refreshToken).toBeUndefined();
    expect(browser.cookies.veritas_refresh).not.toBe(first);
    expect((await me(r.json().accessToken)).statusCode).toBe(200);
    // The successor works in turn.
    expect((await browserRefresh(browser)).statusCode).toBe(200);
  });

  it('refuse the cookie without the CSRF header, or with a different one (403 csrf-refused), and spend nothing', async () => {
    const { browser } = await signedIn();
    const missing = await browserRefresh(browser, null);
    expect(missing.statusCode).toBe(403);
    expect(missing.json().type).toBe('urn:veritas:problem:csrf-refused');
    const wrong = await browserRefresh(browser, 'x'.repeat(43));
    expect(wrong.statusCode).toBe(403);
    const logout = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', cookies: browser.cookies });
    expect(logout.statusCode).toBe(403);
    // Refused before the token was looked at: it still works with the header.
    expect((await browserRefresh(browser)).statusCode).toBe(200);
  });

  it('rotate from the body for non-browser clients, with no CSRF token and no cookie', async () => {
    const { user } = await buildPerson(t.app, tenant, 'student', { password_hash: hashed });
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: PASSWORD, tokenDelivery: 'body' } });
    const r = await bodyRefresh(login.json().refreshToken);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().refreshToken).toMatch(/^[\w-]{43}$/);
    expect(r.json().refreshToken).not.toBe(login.json().refreshToken);
    expect(r.cookies).toEqual([]);
  });

  it('revoke the whole family when a spent token comes back: the newest token of the family stops working too', async () => {
    const { user, answer } = await signedIn();
    // A second, separate sign-in of the same person is not affected.
    const other = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: PASSWORD, tokenDelivery: 'body' } });
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: PASSWORD, tokenDelivery: 'body' } });
    const first = login.json().refreshToken;
    const second = (await bodyRefresh(first)).json().refreshToken;
    const third = (await bodyRefresh(second)).json().refreshToken;
    const reused = await bodyRefresh(first);
    expect(reused.statusCode).toBe(401);
    expect(reused.json().type).toBe('urn:veritas:problem:refresh-reused');
    const newest = await bodyRefresh(third);
    expect(newest.statusCode).toBe(401);
    expect(newest.json().type).toBe('urn:veritas:problem:invalid-credential');
    expect((await bodyRefresh(other.json().refreshToken)).statusCode).toBe(200);
    expect(answer.user.id).toBe(user.id);
    const entries = await audited('auth.refresh-reused');
    expect(entries.some((e) => e.resource_id === user.id && e.tenant_id === tenant.id)).toBe(true);
  });

  it('answer invalid-credential for an unknown or expired token, and for none at all', async () => {
    expect((await bodyRefresh('A'.repeat(43))).json().type).toBe('urn:veritas:problem:invalid-credential');
    const none = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh' });
    expect(none.statusCode).toBe(401);
    expect(none.json().type).toBe('urn:veritas:problem:invalid-credential');
    const { user } = await buildPerson(t.app, tenant, 'student', { password_hash: hashed });
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: PASSWORD, tokenDelivery: 'body' } });
    await t.app.services.database.db
      .updateTable('refresh_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    const expired = await bodyRefresh(login.json().refreshToken);
    expect(expired.statusCode).toBe(401);
    expect(expired.json().type).toBe('urn:veritas:problem:invalid-credential');
  });

  it('pick up a changed role and a disabled account', async () => {
    const { user, browser } = await signedIn('student');
    await updateUser(t.app.services.database.db, tenantId(tenant.id), user.id, { role: 'teacher' });
    const promoted = await browserRefresh(browser);
    expect(promoted.json().user.role).toBe('teacher');
    expect((await me(promoted.json().accessToken)).json().role).toBe('teacher');
    await updateUser(t.app.services.database.db, tenantId(tenant.id), user.id, { status: 'disabled' });
    const refused = await browserRefresh(browser);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().type).toBe('urn:veritas:problem:invalid-credential');
    // The access token still in hand no longer reads the profile either.
    expect((await me(promoted.json().accessToken)).statusCode).toBe(401);
  });
});

describe('POST /v1/auth/logout', () => {
  it('revokes the sign-in, clears both cookies and is audited', async () => {
    const { user, browser } = await signedIn();
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      cookies: browser.cookies,
      headers: { 'x-csrf-token': browser.cookies.veritas_csrf! },
    });
    expect(r.statusCode).toBe(204);
    const cleared = Object.fromEntries(r.cookies.map((c) => [c.name, c]));
    expect(cleared.veritas_refresh).toMatchObject({ value: '', path: '/v1/auth' });
    expect(cleared.veritas_csrf).toMatchObject({ value: '', path: '/' });
    expect(new Date(cleared.veritas_refresh!.expires!).getTime()).toBeLessThan(Date.now());
    const after = await browserRefresh({ cookies: { ...browser.cookies } });
    expect(after.statusCode).toBe(401);
    expect((await audited('auth.sign-out')).some((e) => e.actor_id === user.id && e.actor_kind === 'user')).toBe(true);
  });

  it('with a body token, or with nothing at all, answers 204', async () => {
    const { user } = await buildPerson(t.app, tenant, 'student', { password_hash: hashed });
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: user.email, password: PASSWORD, tokenDelivery: 'body' } });
    const token = login.json().refreshToken;
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout', payload: { refreshToken: token } })).statusCode).toBe(204);
    expect((await bodyRefresh(token)).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/v1/auth/logout' })).statusCode).toBe(204);
  });
});
