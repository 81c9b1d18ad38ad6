import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { createSession } from '../../testing/factories';
import { TEST_DB } from '../../testing/test-database';

const PAGE = 'http://page.example:8000';
const LMS = 'https://lms.example.edu';
const ELSEWHERE = 'https://elsewhere.example';

type Answer = Awaited<ReturnType<TestApp['app']['inject']>>;

const preflight = (t: TestApp, url: string, origin: string, method = 'POST', headers = 'authorization,content-type') =>
  t.app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

function expectAllowed(r: Answer, origin: string) {
  expect(r.headers['access-control-allow-origin']).toBe(origin);
  expect(r.headers['access-control-allow-credentials']).toBeUndefined();
}

function expectRefusedPreflight(r: Answer) {
  expect(r.statusCode).toBe(404);
  expect(r.headers['access-control-allow-origin']).toBeUndefined();
  expect(r.headers['access-control-allow-methods']).toBeUndefined();
}

describe(`CORS on the recorder's routes (${TEST_DB})`, () => {
  let t: TestApp;
  let admin: Person;
  let student: Person;
  let otherAdmin: Person;
  beforeAll(async () => {
    t = await createTestApp({ corsOrigins: [PAGE] });
    const tenant = await buildTenant(t.app);
    admin = await buildPerson(t.app, tenant, 'admin');
    student = await buildPerson(t.app, tenant, 'student');
    otherAdmin = await buildPerson(t.app, await buildTenant(t.app), 'admin');
  });
  afterAll(async () => t?.close());

  it('answers the preflight of creating a public session for a listed origin, and allows no credentials', async () => {
    const r = await preflight(t, '/v1/sessions', PAGE);
    expect(r.statusCode).toBe(204);
    expectAllowed(r, PAGE);
    expect(r.headers['access-control-allow-methods']).toBe('POST');
    expect(String(r.headers['access-control-allow-headers'])).toMatch(/authorization/);
    expect(String(r.headers['access-control-allow-headers'])).toMatch(/content-type/);
    expect(String(r.headers.vary)).toMatch(/Origin/i);
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: { origin: PAGE }, payload: { kind: 'sensor' } });
    expect(created.statusCode).toBe(201);
    expectAllowed(created, PAGE);
    // The recorder reads Retry-After on a 429 or 503: it is exposed.
    expect(String(created.headers['access-control-expose-headers'])).toMatch(/retry-after/);
  });

  it('refuses an origin not listed: the preflight is a 404 with no CORS headers, and the answer allows nothing', async () => {
    expectRefusedPreflight(await preflight(t, '/v1/sessions', ELSEWHERE));
    expectRefusedPreflight(await preflight(t, '/v1/sessions', 'null'));
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: { origin: ELSEWHERE }, payload: { kind: 'sensor' } });
    expect(created.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("allows a public session's batches and end from a listed origin, and an unknown session's from none", async () => {
    const s = await createSession(t.app);
    for (const path of ['events', 'end']) {
      const r = await preflight(t, `/v1/sessions/${s.id}/${path}`, PAGE);
      expect(r.statusCode).toBe(204);
      expectAllowed(r, PAGE);
      expectRefusedPreflight(await preflight(t, `/v1/sessions/${s.id}/${path}`, ELSEWHERE));
    }
    expectRefusedPreflight(await preflight(t, `/v1/sessions/${'x'.repeat(22)}/events`, PAGE));
    // A malformed escape in the path is the router's 400, with nothing allowed.
    const malformed = await preflight(t, '/v1/sessions/%E0%A4%A/events', PAGE);
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['access-control-allow-origin']).toBeUndefined();
    // A problem answer (here a malformed batch) carries the header too, so the page can read it.
    const bad = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${s.id}/events`,
      headers: { origin: PAGE, authorization: `Bearer ${s.writeToken}` },
      payload: { nope: 1 },
    });
    expect(bad.statusCode).toBe(400);
    expectAllowed(bad, PAGE);
  });

  it('answers no other route cross-origin, even for a listed origin', async () => {
    const s = await createSession(t.app);
    expectRefusedPreflight(await preflight(t, '/v1/admin/tenant', PAGE, 'PATCH'));
    expectRefusedPreflight(await preflight(t, '/v1/auth/login', PAGE));
    expectRefusedPreflight(await preflight(t, `/v1/sessions/${s.id}`, PAGE, 'DELETE'));
    const read = await t.app.inject({ method: 'GET', url: `/v1/sessions/${s.id}`, headers: { origin: PAGE } });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("follows the tenant's own list for the tenant's sessions, editable by its admin only", async () => {
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: student.headers, payload: { kind: 'writing' } });
    expect(created.statusCode, created.body).toBe(201);
    const url = `/v1/sessions/${created.json().id}/events`;
    // Not yet listed by the tenant; the server-wide list is for public sessions only.
    expectRefusedPreflight(await preflight(t, url, LMS));
    expectRefusedPreflight(await preflight(t, url, PAGE));
    const other = await t.app.inject({ method: 'PATCH', url: '/v1/admin/tenant', headers: otherAdmin.headers, payload: { corsOrigins: [LMS] } });
    expect(other.statusCode).toBe(200);
    expectRefusedPreflight(await preflight(t, url, LMS));
    const set = await t.app.inject({ method: 'PATCH', url: '/v1/admin/tenant', headers: admin.headers, payload: { corsOrigins: [LMS] } });
    expect(set.statusCode, set.body).toBe(200);
    const r = await preflight(t, url, LMS);
    expect(r.statusCode).toBe(204);
    expectAllowed(r, LMS);
    expectRefusedPreflight(await preflight(t, url, PAGE));
    // Taken away again: refused again at once.
    const cleared: InjectOptions = { method: 'PATCH', url: '/v1/admin/tenant', headers: admin.headers, payload: { corsOrigins: [] } };
    expect((await t.app.inject(cleared)).statusCode).toBe(200);
    expectRefusedPreflight(await preflight(t, url, LMS));
  });
});

describe('CORS with any origin for public sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ corsOrigins: '*' });
  });
  afterAll(async () => t?.close());

  it('answers "*" and never allows credentials with it', async () => {
    const r = await preflight(t, '/v1/sessions', ELSEWHERE);
    expect(r.statusCode).toBe(204);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-credentials']).toBeUndefined();
    const created = await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: { origin: ELSEWHERE }, payload: { kind: 'sensor' } });
    expect(created.headers['access-control-allow-origin']).toBe('*');
    expect(created.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('CORS off by default', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('refuses every cross-origin preflight when no origin is configured', async () => {
    expectRefusedPreflight(await preflight(t, '/v1/sessions', PAGE));
    const s = await createSession(t.app);
    expectRefusedPreflight(await preflight(t, `/v1/sessions/${s.id}/events`, PAGE));
  });
});
