import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { TEST_DB } from '../../testing/test-database';
import type { TenantRow } from './tenants.repository';

let t: TestApp;
let tenant: TenantRow;
let admin: Person;
let others: Person[];
let stranger: Person;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await buildTenant(t.app, { name: 'Northfield College' });
  admin = await buildPerson(t.app, tenant, 'admin');
  others = [await buildPerson(t.app, tenant, 'teacher'), await buildPerson(t.app, tenant, 'observer'), await buildPerson(t.app, tenant, 'student')];
  stranger = await buildPerson(t.app, await buildTenant(t.app, { name: 'Elsewhere' }), 'admin');
});
afterAll(async () => t?.close());

const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });

function expectProblem(r: { statusCode: number; headers: Record<string, unknown>; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode).toBe(status);
  expect(String(r.headers['content-type'])).toContain('application/problem+json');
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}

describe(`/v1/admin/tenant (${TEST_DB})`, () => {
  it("reads and changes the admin's own tenant, auditing what changed", async () => {
    const r = await call(admin, { method: 'GET', url: '/v1/admin/tenant' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      id: tenant.id,
      slug: tenant.slug,
      name: 'Northfield College',
      hostSignals: 'accept',
      corsOrigins: [],
      createdAt: tenant.created_at.toISOString(),
    });
    const changed = await call(admin, { method: 'PATCH', url: '/v1/admin/tenant', payload: { name: 'Northfield Sixth Form', hostSignals: 'refuse' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: tenant.id, name: 'Northfield Sixth Form', hostSignals: 'refuse' });
    expect((await call(stranger, { method: 'GET', url: '/v1/admin/tenant' })).json().name).toBe('Elsewhere');
    // The same again changes nothing and records nothing.
    expect((await call(admin, { method: 'PATCH', url: '/v1/admin/tenant', payload: { hostSignals: 'refuse' } })).statusCode).toBe(200);
    const entries = await t.app.services.audit.search({ tenantId: tenant.id, action: 'tenant.update', limit: 10 });
    expect(entries.map((e) => [e.actor_id, e.resource_id, e.detail])).toEqual([
      [
        admin.user.id,
        tenant.id,
        { changes: { name: { from: 'Northfield College', to: 'Northfield Sixth Form' }, hostSignals: { from: 'accept', to: 'refuse' } } },
      ],
    ]);
  });

  it('is for admins only', async () => {
    for (const who of others) {
      expectProblem(await call(who, { method: 'GET', url: '/v1/admin/tenant' }), 403, 'forbidden');
      expectProblem(await call(who, { method: 'PATCH', url: '/v1/admin/tenant', payload: { name: 'x' } }), 403, 'forbidden');
    }
    expectProblem(await call(undefined, { method: 'GET', url: '/v1/admin/tenant' }), 401, 'unauthenticated');
    expectProblem(await call(undefined, { method: 'PATCH', url: '/v1/admin/tenant', payload: { name: 'x' } }), 401, 'unauthenticated');
  });

  it('refuses a body that names another tenant, or is malformed, with a 400 problem', async () => {
    for (const body of [
      {},
      { id: 'other' },
      { slug: 'x' },
      { tenantId: 'x' },
      { name: '' },
      { name: '  ' },
      { name: 'a\u0000' },
      { hostSignals: 'maybe' },
      { hostSignals: null },
      { corsOrigins: '*' },
      { corsOrigins: ['*'] },
      { corsOrigins: ['https://lms.example.edu/'] },
      { corsOrigins: ['https://lms.example.edu/path'] },
      { corsOrigins: ['https://LMS.example.edu'] },
      { corsOrigins: ['https://lms.example.edu:443'] },
      { corsOrigins: ['ftp://lms.example.edu'] },
      { corsOrigins: ['null'] },
      { corsOrigins: ['https://a.example', 'https://a.example'] },
      { corsOrigins: Array.from({ length: 21 }, (_, i) => `https://h${i}.example`) },
      { corsOrigins: [`https://${'a'.repeat(200)}.example`] },
      [],
      'x',
    ]) {
      const r = await call(admin, { method: 'PATCH', url: '/v1/admin/tenant', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      expectProblem(r, 400, 'invalid-request');
    }
    expect((await call(admin, { method: 'GET', url: '/v1/admin/tenant' })).json()).toMatchObject({ id: tenant.id, slug: tenant.slug });
  });

  it('keeps the origins allowed to use the recorder for its sessions, replacing the list and auditing the change', async () => {
    const origins = ['https://lms.example.edu', 'http://127.0.0.1:5173', 'http://[::1]:8080'];
    const set = await call(admin, { method: 'PATCH', url: '/v1/admin/tenant', payload: { corsOrigins: origins } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().corsOrigins).toEqual(origins);
    expect((await call(admin, { method: 'GET', url: '/v1/admin/tenant' })).json().corsOrigins).toEqual(origins);
    expect((await call(stranger, { method: 'GET', url: '/v1/admin/tenant' })).json().corsOrigins).toEqual([]);
    const replaced = await call(admin, { method: 'PATCH', url: '/v1/admin/tenant', payload: { corsOrigins: ['https://lms.example.edu'] } });
    expect(replaced.json().corsOrigins).toEqual(['https://lms.example.edu']);
    const entries = await t.app.services.audit.search({ tenantId: tenant.id, action: 'tenant.update', limit: 10 });
    expect(entries[0]!.detail).toEqual({ changes: { corsOrigins: { from: origins, to: ['https://lms.example.edu'] } } });
    for (const who of others) expectProblem(await call(who, { method: 'PATCH', url: '/v1/admin/tenant', payload: { corsOrigins: [] } }), 403, 'forbidden');
  });
});
