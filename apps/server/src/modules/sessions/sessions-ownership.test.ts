import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildBundle } from '../../testing/factories';
import { chainBatches, typingEvents } from '../../testing/batches';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { tenantId, tenantScope } from '../../kernel/scope';
import { ownerOf } from './session-owner';
import { linkedAudit } from '../../testing/linked-audit';

let t: TestApp;
let student: Person;
let otherStudent: Person;
let tenant: string;
let n = 0;
const rid = () => `own-${TEST_DB}-${n++}`;

beforeAll(async () => {
  t = await createTestApp();
  const school = await buildTenant(t.app);
  tenant = school.id;
  student = await buildPerson(t.app, school, 'student');
  otherStudent = await buildPerson(t.app, school, 'student');
});
afterAll(async () => t?.close());

const row = (id: string) => t.app.services.database.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = async (requestId: string) =>
  (await linkedAudit(t.app.services)).selectFrom('audit_log').selectAll().where('request_id', '=', requestId).execute();

describe(`sessions belong to people and tenants (${TEST_DB})`, () => {
  it('a person’s new session gets their tenant and them as owner, audited as session.create; an anonymous one stays public', async () => {
    const requestId = rid();
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { ...student.headers, 'x-request-id': requestId },
      payload: { kind: 'writing' },
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(await row(r.json().id)).toMatchObject({ tenant_id: tenant, owner_kind: 'user', owner_id: student.user.id, status: 'active' });
    expect(await auditOf(requestId)).toMatchObject([
      { tenant_id: tenant, chain: tenant, action: 'session.create', resource_id: r.json().id, actor_kind: 'user', actor_id: student.user.id },
    ]);

    const anonymousRequest = rid();
    const anon = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: { 'x-request-id': anonymousRequest }, payload: { kind: 'sensor' } });
    expect(await row(anon.json().id)).toMatchObject({ tenant_id: null, owner_kind: null, owner_id: null });
    expect(await auditOf(anonymousRequest)).toMatchObject([{ tenant_id: null, chain: 'public', action: 'session.create', actor_kind: 'anonymous' }]);
  });

  it('takes the owner from the actor, never from the body: a key owns what it creates', () => {
    const scope = tenantScope('t1');
    expect(ownerOf({ kind: 'user', userId: 'u1', tenantId: tenantId('t1'), role: 'student', via: 'password', scope })).toEqual({ kind: 'user', id: 'u1' });
    expect(ownerOf({ kind: 'api-key', keyId: 'k1', tenantId: tenantId('t1'), scopes: ['sessions:write'], scope })).toEqual({ kind: 'api-key', id: 'k1' });
    expect(ownerOf({ kind: 'anonymous' })).toBeUndefined();
  });

  it('refuses a body that tries to set the tenant, owner, status, score, risk label, flag state or reviewer (400), storing nothing', async () => {
    const count = async () =>
      Number(
        (
          await t.app.services.database.db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const fields: Record<string, unknown> = {
      tenantId: 'someone-else',
      tenant_id: 'someone-else',
      ownerId: otherStudent.user.id,
      owner: { kind: 'user', id: otherStudent.user.id },
      status: 'ended',
      score: 1,
      integrity: 1,
      risk: 'low',
      riskLabel: 'low',
      flagState: 'dismissed',
      flags: [],
      reviewer: 'u-1',
    };
    for (const [field, value] of Object.entries(fields)) {
      for (const headers of [student.headers, {}]) {
        const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers, payload: { kind: 'writing', [field]: value } });
        expect(r.statusCode, `${field}: ${r.body}`).toBe(400);
        expect(r.json().type).toBe('urn:veritas:problem:invalid-request');
      }
    }
    const bundle = await buildBundle({ id: 'ownershipRefused0001' });
    for (const forged of [
      { ...bundle, owner: student.user.id },
      { ...bundle, tenantId: tenant },
      { ...bundle, session: { ...bundle.session, tenantId: tenant } },
      { ...bundle, session: { ...bundle.session, status: 'active' } },
    ]) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', headers: student.headers, payload: forged });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().type).toBe('urn:veritas:problem:invalid-bundle');
    }
    expect(await count()).toBe(before);
  });

  it('an upload by a person is theirs (audited as session.upload); the same bundle from another person is a conflict', async () => {
    const bundle = await buildBundle({ id: 'ownershipUpload00001' });
    const requestId = rid();
    const r = await t.app.inject({ method: 'POST', url: '/v1/bundles', headers: { ...student.headers, 'x-request-id': requestId }, payload: bundle });
    expect(r.statusCode, r.body).toBe(201);
    expect(await row(bundle.session.id)).toMatchObject({ tenant_id: tenant, owner_kind: 'user', owner_id: student.user.id, source: 'upload' });
    expect(await auditOf(requestId)).toMatchObject([
      { tenant_id: tenant, action: 'session.upload', resource_id: bundle.session.id, actor_id: student.user.id },
    ]);
    expect((await t.app.inject({ method: 'POST', url: '/v1/bundles', headers: student.headers, payload: bundle })).statusCode).toBe(200);
    const other = await t.app.inject({ method: 'POST', url: '/v1/bundles', headers: otherStudent.headers, payload: bundle });
    expect(other.statusCode).toBe(409);
    const anonymous = await t.app.inject({ method: 'POST', url: '/v1/bundles', payload: bundle });
    expect(anonymous.statusCode).toBe(409);
  });

  it('a tenant session is not readable by its id alone (404 on every reader route), while its write token still writes, ends and reads it', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: student.headers, payload: { kind: 'writing' } });
    const { id, writeToken } = created.json() as { id: string; writeToken: string };
    const asWriter = { authorization: `Bearer ${writeToken}` };
    for (const b of await chainBatches(id, typingEvents('written in class'), 5, writeToken)) {
      expect((await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: asWriter, payload: b })).statusCode).toBe(200);
    }
    for (const suffix of ['', '/events', '/replay', '/bundle', '/analysis', '/alerts', '/report']) {
      const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}${suffix}` });
      expect(r.statusCode, suffix).toBe(404);
      expect(r.json().type, suffix).toBe('urn:veritas:problem:not-found');
    }
    // A wrong token for it is refused as a wrong token, and reads nothing either.
    const wrong = { authorization: `Bearer ${'A'.repeat(43)}` };
    const [next] = await chainBatches(id, typingEvents('!', 16), 5, writeToken);
    expect((await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/events`, headers: wrong, payload: next })).json().type).toBe(
      'urn:veritas:problem:invalid-token',
    );
    expect((await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events`, headers: wrong })).statusCode).toBe(404);

    const readRequest = rid();
    const read = await t.app.inject({ method: 'GET', url: `/v1/sessions/${id}/events`, headers: { ...asWriter, 'x-request-id': readRequest } });
    expect(read.json().items).toHaveLength(16);
    expect(await auditOf(readRequest)).toMatchObject([{ tenant_id: tenant, action: 'session.events.read', actor_kind: 'session-writer' }]);
    const endRequest = rid();
    const ended = await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/end`, headers: { ...asWriter, 'x-request-id': endRequest } });
    expect(ended.json().status).toBe('ended');
    expect(await auditOf(endRequest)).toMatchObject([
      {
        tenant_id: tenant,
        action: 'session.end',
        resource_id: id,
        actor_kind: 'session-writer',
        actor_id: id,
        auth_method: 'write-token',
        detail: { eventCount: 16 },
      },
    ]);
  });

  it('a public session stays readable by its id, and those reads are not audited (the public capability)', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json() as { id: string };
    for (const suffix of ['', '/events', '/replay', '/bundle', '/analysis', '/alerts', '/report']) {
      const requestId = rid();
      const r = await t.app.inject({ method: 'GET', url: `/v1/sessions/${created.id}${suffix}`, headers: { 'x-request-id': requestId } });
      expect(r.statusCode, suffix).toBeLessThan(300);
      expect(await auditOf(requestId), suffix).toEqual([]);
    }
    // A signed-in person holding the id reads it like anyone else (their web app sends their token everywhere), as the public capability.
    const requestId = rid();
    const asPerson = await t.app.inject({
      method: 'GET',
      url: `/v1/sessions/${created.id}/events`,
      headers: { ...student.headers, 'x-request-id': requestId },
    });
    expect(asPerson.statusCode).toBe(200);
    expect(await auditOf(requestId)).toEqual([]);
    // Their token does not turn a public session into one they may manage.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${created.id}`, headers: student.headers })).statusCode).toBe(401);
  });

  it('people create sessions even when the server takes no anonymous ones', async () => {
    const closed = await createTestApp({ publicSessions: false });
    try {
      const school = await buildTenant(closed.app);
      const person = await buildPerson(closed.app, school, 'student');
      expect((await closed.app.inject({ method: 'POST', url: '/v1/sessions', headers: person.headers, payload: { kind: 'writing' } })).statusCode).toBe(201);
      expect(
        (await closed.app.inject({ method: 'POST', url: '/v1/bundles', headers: person.headers, payload: await buildBundle({ id: 'closedServerUpload01' }) }))
          .statusCode,
      ).toBe(201);
      expect((await closed.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).statusCode).toBe(403);
    } finally {
      await closed.close();
    }
  });
});
