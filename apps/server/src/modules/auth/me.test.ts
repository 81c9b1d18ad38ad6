import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant } from '../../testing/people';
import type { TenantRow } from '../people';
import { ACCESS_TOKEN_TTL_S, argon2Hasher, createAccessTokens } from './index';

const PASSWORD = 'correct horse battery';
let t: TestApp;
let tenant: TenantRow;
let hashed: string;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await buildTenant(t.app, { slug: 'me-school', name: 'Me School' });
  hashed = await argon2Hasher.hash(PASSWORD);
});
afterAll(async () => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const login = (email: string, password = PASSWORD) =>
  t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password, tokenDelivery: 'body' }, remoteAddress: '10.9.0.1' });
const patchMe = (token: string, payload: object) => t.app.inject({ method: 'PATCH', url: '/v1/me', headers: bearer(token), payload });
const refresh = (refreshToken: string) => t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refreshToken } });

describe('GET /v1/me', () => {
  it('shows each role its own profile: the enrollment id to students, the department to teachers', async () => {
    const student = await buildPerson(t.app, tenant, 'student');
    const teacher = await buildPerson(t.app, tenant, 'teacher');
    const admin = await buildPerson(t.app, tenant, 'admin');
    const get = async (headers: Record<string, string>) => (await t.app.inject({ method: 'GET', url: '/v1/me', headers })).json();
    expect(await get(student.headers)).toEqual({
      id: student.user.id,
      email: student.user.email,
      displayName: student.user.display_name,
      role: 'student',
      tenant: { id: tenant.id, slug: 'me-school', name: 'Me School' },
      enrollmentId: student.user.enrollment_id,
      authMethod: 'password',
    });
    expect(await get(teacher.headers)).toMatchObject({ role: 'teacher', department: 'Languages' });
    expect(await get(teacher.headers)).not.toHaveProperty('enrollmentId');
    const adminView = await get(admin.headers);
    expect(adminView).not.toHaveProperty('enrollmentId');
    expect(adminView).not.toHaveProperty('department');
  });

  it('answers 401 unauthenticated with no token, and 401 token-expired with an expired one', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/v1/me' });
    expect(none.statusCode).toBe(401);
    expect(none.json().type).toBe('urn:veritas:problem:unauthenticated');
    const { user } = await buildPerson(t.app, tenant, 'student');
    const past = new Date(Date.now() - (ACCESS_TOKEN_TTL_S + 60) * 1000);
    const { token } = await createAccessTokens(t.app.services.database, () => past).issue(user, 'password');
    const expired = await t.app.inject({ method: 'GET', url: '/v1/me', headers: bearer(token) });
    expect(expired.statusCode).toBe(401);
    expect(expired.json().type).toBe('urn:veritas:problem:token-expired');
  });
});

describe('PATCH /v1/me', () => {
  it('changes the display name, audited', async () => {
    const p = await buildPerson(t.app, tenant, 'observer');
    const r = await patchMe(p.token, { displayName: '  Ada Observer ' });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().displayName).toBe('Ada Observer');
    const entries = await t.app.services.audit.search({ tenantId: tenant.id, action: 'user.update-self', actorId: p.user.id, limit: 100 });
    expect(entries.map((e) => e.detail)).toEqual([{ fields: ['displayName'] }]);
    expect((await patchMe(p.token, { displayName: '   ' })).statusCode).toBe(400);
    expect((await patchMe(p.token, {})).statusCode).toBe(400);
  });

  it('changes the password with the current one, keeps this sign-in and ends the others', async () => {
    const { user } = await buildPerson(t.app, tenant, 'teacher', { password_hash: hashed });
    const here = (await login(user.email)).json();
    const elsewhere = (await login(user.email)).json();
    const r = await patchMe(here.accessToken, { currentPassword: PASSWORD, newPassword: 'a new and long passphrase' });
    expect(r.statusCode, r.body).toBe(200);
    expect((await refresh(here.refreshToken)).statusCode).toBe(200);
    expect((await refresh(elsewhere.refreshToken)).statusCode).toBe(401);
    expect((await login(user.email)).statusCode).toBe(401);
    expect((await login(user.email, 'a new and long passphrase')).statusCode).toBe(200);
    const entries = await t.app.services.audit.search({ tenantId: tenant.id, action: 'user.update-self', actorId: user.id, limit: 100 });
    expect(entries.map((e) => e.detail)).toEqual([{ fields: ['password'] }]);
  });

  it('refuses a new password without the current one, with a wrong one, or one the policy refuses', async () => {
    const { user } = await buildPerson(t.app, tenant, 'student', { password_hash: hashed });
    const { accessToken } = (await login(user.email)).json();
    const missing = await patchMe(accessToken, { newPassword: 'a new and long passphrase' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toMatch(/currentPassword/);
    const wrong = await patchMe(accessToken, { currentPassword: 'not the password', newPassword: 'a new and long passphrase' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().type).toBe('urn:veritas:problem:wrong-password');
    for (const [weak, why] of [
      ['short one', /at least 12 characters/],
      ['password1234', /most common/],
      ['x'.repeat(257), /at most 256/],
      ['abababababababab', /4 different characters/],
    ] as const) {
      const r = await patchMe(accessToken, { currentPassword: PASSWORD, newPassword: weak });
      expect(r.statusCode, weak).toBe(400);
      expect(r.json()).toMatchObject({ type: 'urn:veritas:problem:weak-password', detail: expect.stringMatching(why) });
    }
    // Nothing changed.
    expect((await login(user.email)).statusCode).toBe(200);
  });
});
