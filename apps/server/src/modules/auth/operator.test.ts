import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant } from '../../testing/people';
import { createAdminInvitation, DEMO_PASSWORD, DEMO_PEOPLE, rotateSigningKeys, seedDemoPeople } from './index';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const count = async (table: 'tenants' | 'users' | 'classes' | 'class_members' | 'observer_links') =>
  Number(
    (
      await t.app.services.database.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('operator commands', () => {
  it('create an institution with an admin invitation, then reuse the institution for another admin', async () => {
    const first = await createAdminInvitation(t.app.services.database, {
      tenantSlug: 'north-college',
      tenantName: 'North College',
      email: 'head@north.test',
      displayName: 'Head of IT',
      linkBase: 'https://veritas.north.test',
    });
    expect(first).toMatchObject({ tenantCreated: true, tenant: { slug: 'north-college', name: 'North College' } });
    expect(first.link).toMatch(/^https:\/\/veritas\.north\.test\/accept\/[\w-]{43}$/);
    const accepted = await t.app.inject({
      method: 'POST',
      url: `/v1/auth/links/${first.link.split('/accept/')[1]}`,
      payload: { password: 'the head of it passphrase' },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().user).toMatchObject({ role: 'admin', displayName: 'Head of IT', tenant: { slug: 'north-college' } });

    const second = await createAdminInvitation(t.app.services.database, {
      tenantSlug: 'north-college',
      email: 'deputy@north.test',
      linkBase: 'http://localhost:8080',
    });
    expect(second).toMatchObject({ tenantCreated: false, tenant: { id: first.tenant.id } });
    await expect(createAdminInvitation(t.app.services.database, { tenantSlug: 'North College', email: 'x@y.test', linkBase: 'http://x' })).rejects.toThrow(
      /--tenant/,
    );
    const audit = await t.app.services.audit.search({ tenantId: first.tenant.id, limit: 1000 });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['tenant.create', 'user.invite', 'invitation.accept']));
  });

  it('rotate the signing keys without signing anyone out', async () => {
    const tenant = await buildTenant(t.app);
    const before = await buildPerson(t.app, tenant, 'teacher');
    const kid = await rotateSigningKeys(t.app.services.database);
    expect(kid).not.toBe(decodeProtectedHeader(before.token).kid);
    // Another instance (the running server) learns of the new key when it meets its kid, and still verifies the old tokens.
    const after = await t.app.services.accessTokens.issue(before.user, 'password');
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(expect.arrayContaining([kid, decodeProtectedHeader(before.token).kid]));
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: before.headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${after.token}` } })).statusCode).toBe(200);
  });

  it('seed the demo institution once: one person per role who signs in, a class, and the observer attached to the teacher', async () => {
    const before = { users: await count('users'), classes: await count('classes') };
    await seedDemoPeople(t.app.services.database);
    await seedDemoPeople(t.app.services.database);
    expect(await count('users')).toBe(before.users + 4);
    expect(await count('classes')).toBe(before.classes + 1);
    const db = t.app.services.database.db;
    const klass = await db.selectFrom('classes').selectAll().where('name', '=', 'Demo class').executeTakeFirstOrThrow();
    expect(klass.teacher_id).toBe('u-demo-teacher');
    expect(await db.selectFrom('class_members').select('user_id').where('class_id', '=', klass.id).execute()).toEqual([{ user_id: 'u-demo-student' }]);
    expect(await db.selectFrom('observer_links').select(['observer_id', 'teacher_id']).execute()).toEqual([
      { observer_id: 'u-demo-observer', teacher_id: 'u-demo-teacher' },
    ]);
    for (const p of DEMO_PEOPLE) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email: p.email, password: DEMO_PASSWORD } });
      expect(r.statusCode, p.email).toBe(200);
      expect(r.json().user).toMatchObject({ role: p.role, tenant: { slug: 'demo', name: 'Demo School' } });
    }
  });
});
