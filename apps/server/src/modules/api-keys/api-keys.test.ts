import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { TEST_DB } from '../../testing/test-database';
import { API_KEY_SHAPE } from '../../http/plugins/auth';
import { decide } from '../../kernel/policy';
import { tenantId, tenantScope } from '../../kernel/scope';
import type { UserActor } from '../../kernel/actor';
import type { TenantRow } from '../people';
import { createApiKeysService, LAST_USED_EVERY_MS } from './api-keys.service';

let t: TestApp;
let tenant: TenantRow;
let admin: Person;
let others: Person[];
let stranger: Person;

beforeAll(async () => {
  t = await createTestApp();
  tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin');
  others = [await buildPerson(t.app, tenant, 'teacher'), await buildPerson(t.app, tenant, 'observer'), await buildPerson(t.app, tenant, 'student')];
  stranger = await buildPerson(t.app, await buildTenant(t.app), 'admin');
});
afterAll(async () => t?.close());

const call = (who: Person | undefined, opts: InjectOptions) => t.app.inject({ ...opts, headers: { ...(opts.headers ?? {}), ...(who ? who.headers : {}) } });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function createKey(name: string, scopes: string[], who: Person = admin): Promise<{ id: string; key: string; prefix: string }> {
  const r = await call(who, { method: 'POST', url: '/v1/admin/api-keys', payload: { name, scopes } });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

function expectProblem(r: { statusCode: number; headers: Record<string, unknown>; json(): { type: string } }, status: number, code: string) {
  expect(r.statusCode).toBe(status);
  expect(String(r.headers['content-type'])).toContain('application/problem+json');
  expect(r.json().type).toBe(`urn:veritas:problem:${code}`);
}

describe(`API keys (${TEST_DB})`, () => {
  it('an admin creates a key that is shown once, stored only as its SHA-256, and audited without it', async () => {
    const r = await call(admin, { method: 'POST', url: '/v1/admin/api-keys', payload: { name: ' LMS ', scopes: ['sessions:write', 'sessions:read'] } });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.headers['cache-control']).toBe('no-store');
    const created = r.json();
    expect(created.key).toMatch(API_KEY_SHAPE);
    expect(created).toMatchObject({
      name: 'LMS',
      prefix: created.key.slice(3, 11),
      scopes: ['sessions:write', 'sessions:read'],
      createdBy: admin.user.id,
      lastUsedAt: null,
      revokedAt: null,
    });
    const hash = createHash('sha256').update(created.key).digest('hex');
    const rows = await t.app.services.database.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key_hash).toBe(hash);
    expect(JSON.stringify(rows[0])).not.toContain(created.key.slice(3));

    const listed = await call(admin, { method: 'GET', url: '/v1/admin/api-keys' });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.find((k: { id: string }) => k.id === created.id)).toEqual({ ...created, key: undefined });
    expect(listed.body).not.toContain(created.key.slice(3));
    expect(listed.body).not.toContain(hash);

    const [entry] = await t.app.services.audit.search({ tenantId: tenant.id, action: 'api-key.create', resourceId: created.id, limit: 10 });
    expect(entry!.detail).toEqual({ name: 'LMS', scopes: ['sessions:write', 'sessions:read'], prefix: created.prefix });
    expect(JSON.stringify(entry)).not.toContain(created.key.slice(3));
  });

  it('a key acts for its tenant within its scopes: sessions:write creates sessions there; without it, 403 insufficient-scope', async () => {
    const writer = await createKey('writer', ['sessions:write']);
    const reader = await createKey('reader', ['sessions:read']);
    const made = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(writer.key), payload: { kind: 'writing' } });
    expect(made.statusCode, made.body).toBe(201);
    const row = await t.app.services.database.db.selectFrom('sessions').select('tenant_id').where('id', '=', made.json().id).executeTakeFirst();
    expect(row?.tenant_id).toBe(tenant.id);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(reader.key), payload: { kind: 'writing' } });
    expectProblem(refused, 403, 'insufficient-scope');
    // A key is never a person: the administration refuses it.
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/admin/users', headers: bearer(writer.key) }), 403, 'forbidden');
  });

  it('a key with sessions:read passes sessions:list (GET /v1/sessions), one without it is refused insufficient-scope', async () => {
    const reader = await createKey('lister', ['sessions:read']);
    const writer = await createKey('no-lister', ['sessions:write']);
    expect((await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(reader.key) })).statusCode).toBe(200);
    const readerActor = await t.app.services.apiKeys.actorOf(reader.key);
    expect(readerActor).toEqual({ kind: 'api-key', keyId: reader.id, tenantId: tenant.id, scopes: ['sessions:read'], scope: tenantScope(tenant.id) });
    expect(decide(readerActor, 'sessions:list', { publicSessions: true })).toEqual({ allowed: true });
    expect(decide(await t.app.services.apiKeys.actorOf(writer.key), 'sessions:list', { publicSessions: true })).toMatchObject({
      allowed: false,
      code: 'insufficient-scope',
    });
  });

  it('a revoked key is refused at once (401); revoking is audited once and idempotent', async () => {
    const k = await createKey('short-lived', ['sessions:write']);
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: bearer(k.key) }), 403, 'forbidden');
    const revoked = await call(admin, { method: 'DELETE', url: `/v1/admin/api-keys/${k.id}` });
    expect(revoked.statusCode).toBe(204);
    expect(revoked.body).toBe('');
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: bearer(k.key) }), 401, 'invalid-credential');
    expect(await t.app.services.apiKeys.actorOf(k.key)).toEqual({ kind: 'anonymous', refused: 'invalid-credential' });
    // Nor does it quietly become an anonymous caller where anonymous callers pass (a public session).
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: bearer(k.key), payload: { kind: 'writing' } }), 401, 'invalid-credential');
    expect((await call(admin, { method: 'DELETE', url: `/v1/admin/api-keys/${k.id}` })).statusCode).toBe(204);
    const listed = (await call(admin, { method: 'GET', url: '/v1/admin/api-keys' })).json().items.find((x: { id: string }) => x.id === k.id);
    expect(listed.revokedAt).toEqual(expect.any(String));
    const entries = await t.app.services.audit.search({ tenantId: tenant.id, action: 'api-key.revoke', resourceId: k.id, limit: 10 });
    expect(entries.map((e) => e.detail)).toEqual([{ name: 'short-lived', prefix: k.prefix }]);
    // A key of the right shape that was never issued.
    expectProblem(await t.app.inject({ method: 'GET', url: '/v1/admin/api-keys', headers: bearer(`vk_${'A'.repeat(43)}`) }), 401, 'invalid-credential');
  });

  it("keeps each tenant's keys to itself: another tenant's key id answers exactly like an unknown one", async () => {
    const k = await createKey('ours', ['sessions:read']);
    expect((await call(stranger, { method: 'GET', url: '/v1/admin/api-keys' })).json().items.map((x: { id: string }) => x.id)).not.toContain(k.id);
    const foreign = await call(stranger, { method: 'DELETE', url: `/v1/admin/api-keys/${k.id}` });
    const unknown = await call(stranger, { method: 'DELETE', url: '/v1/admin/api-keys/00000000-0000-0000-0000-000000000000' });
    expectProblem(foreign, 404, 'not-found');
    expect(foreign.json().detail.replace(k.id, '<id>')).toBe(unknown.json().detail.replace('00000000-0000-0000-0000-000000000000', '<id>'));
    expect(await t.app.services.apiKeys.actorOf(k.key)).toMatchObject({ kind: 'api-key' });
  });

  it('is for admins only', async () => {
    for (const who of others) {
      expectProblem(await call(who, { method: 'GET', url: '/v1/admin/api-keys' }), 403, 'forbidden');
      expectProblem(await call(who, { method: 'POST', url: '/v1/admin/api-keys', payload: { name: 'x', scopes: ['sessions:read'] } }), 403, 'forbidden');
      expectProblem(await call(who, { method: 'DELETE', url: '/v1/admin/api-keys/x' }), 403, 'forbidden');
    }
    expectProblem(await call(undefined, { method: 'GET', url: '/v1/admin/api-keys' }), 401, 'unauthenticated');
    expectProblem(
      await call(undefined, { method: 'POST', url: '/v1/admin/api-keys', payload: { name: 'x', scopes: ['sessions:read'] } }),
      401,
      'unauthenticated',
    );
  });

  it('answers malformed input with a 400 problem', async () => {
    for (const body of [
      {},
      { name: 'x' },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['admin'] },
      { name: 'x', scopes: ['sessions:read', 'sessions:read'] },
      { name: '', scopes: ['sessions:read'] },
      { name: '  ', scopes: ['sessions:read'] },
      { name: 'a\u0000', scopes: ['sessions:read'] },
      { name: 'x', scopes: ['sessions:read'], tenantId: 'other' },
      { name: 'x', scopes: ['sessions:read'], key: `vk_${'A'.repeat(43)}` },
      [],
    ]) {
      const r = await call(admin, {
        method: 'POST',
        url: '/v1/admin/api-keys',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expectProblem(r, 400, 'invalid-request');
    }
    expectProblem(await call(admin, { method: 'DELETE', url: '/v1/admin/api-keys/a%00' }), 400, 'invalid-request');
    expectProblem(await call(admin, { method: 'DELETE', url: `/v1/admin/api-keys/${'k'.repeat(65)}` }), 400, 'invalid-request');
  });
});

describe(`a key's last use (${TEST_DB})`, () => {
  it('is written when first used and then at most once a minute per key', async () => {
    let now = new Date('2026-11-30T10:00:00.000Z');
    const service = createApiKeysService(t.app.services.database, t.app.services.audit, () => now);
    const actor: UserActor = {
      kind: 'user',
      userId: admin.user.id,
      tenantId: tenantId(tenant.id),
      role: 'admin',
      via: 'password',
      scope: tenantScope(tenant.id),
    };
    const { row, key } = await service.create({ actor, context: { ip: null, requestId: null } }, { name: 'clocked', scopes: ['sessions:read'] });
    const lastUsed = async () =>
      (await t.app.services.database.db.selectFrom('api_keys').select('last_used_at').where('id', '=', row.id).executeTakeFirstOrThrow()).last_used_at;
    const first = now;
    expect(await lastUsed()).toBeNull();
    await service.actorOf(key);
    expect(await lastUsed()).toEqual(first);
    now = new Date(first.getTime() + LAST_USED_EVERY_MS - 1);
    await service.actorOf(key);
    expect(await lastUsed()).toEqual(first);
    now = new Date(first.getTime() + LAST_USED_EVERY_MS);
    await service.actorOf(key);
    expect(await lastUsed()).toEqual(now);
  });

  it('shows in the list once the key was used', async () => {
    const k = await createKey('used', ['sessions:read']);
    await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(k.key) });
    const listed = (await call(admin, { method: 'GET', url: '/v1/admin/api-keys' })).json().items.find((x: { id: string }) => x.id === k.id);
    expect(listed.lastUsedAt).toEqual(expect.any(String));
  });
});
