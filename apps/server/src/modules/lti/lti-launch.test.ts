import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { createExam } from '../../testing/exam-live';
import type { TenantRow } from '../people';
import { mapRoles } from './lti-claims';
import { initiate, launch, postLaunch, type LaunchResult } from './testing/lti-flow';
import { registerPlatform, startToolAndPlatform } from '../../testing/lti-registration';
import { ROLE, startTestPlatform, type TestPlatform } from './testing/test-platform';
import { auditedAction } from '../../testing/linked-audit';

/** Issue 17: LTI 1.3 launches from a test LMS (its own keys, auth endpoint, JWKS) over real HTTP, the learner's, the instructor's and hostile ones. */

let t: TestApp;
let base: string;
let platform: TestPlatform;
let tenant: TenantRow;
let admin: Person;
let teacher: Person;
let examId: string;
let registration: { id: string; loginUrl: string; frameOrigins: string[] };

const db = () => t.app.services.database.db;
const audited = (action: string) => auditedAction(t.app.services, action, tenant.id);

const register = (p: TestPlatform, extra: Record<string, unknown> = {}) => registerPlatform(t.app, admin, p, extra);

const course = { id: `course-${randomUUID()}`, title: 'Rivers 101' };
const custom = () => ({ veritas_exam_id: examId });
const refused = (r: LaunchResult, reason: string) => {
  expect(r.status, JSON.stringify(r.problem)).toBe(400);
  expect(r.problem).toMatchObject({ type: 'urn:veritas:problem:lti-launch-refused', reason });
  expect(r.cookies).toEqual({});
};

async function refreshWith(cookies: Record<string, string>) {
  return fetch(`${base}/v1/auth/refresh`, {
    method: 'POST',
    headers: {
      cookie: `veritas_refresh=${cookies.veritas_refresh}; veritas_csrf=${cookies.veritas_csrf}`,
      'x-csrf-token': cookies.veritas_csrf!,
      'content-type': 'application/json',
    },
    body: '{}',
  });
}

beforeAll(async () => {
  ({ t, base, platform } = await startToolAndPlatform());
  tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin');
  teacher = await buildPerson(t.app, tenant, 'teacher', { email: `teacher-${randomUUID()}@school.test` });
  await t.app.inject({ method: 'POST', url: '/v1/classes', headers: teacher.headers, payload: { name: 'Own class' } });
  examId = await createExam(t.app, teacher);
  registration = await register(platform);
});
afterAll(async () => {
  await platform?.close();
  await t?.close();
});

describe(`LTI 1.3 launches (${TEST_DB})`, () => {
  it('maps LIS roles: Learner → student, Instructor (and TAs) → teacher, Administrator → admin; the highest wins; others map to none', () => {
    expect(mapRoles([ROLE.learner])).toBe('student');
    expect(mapRoles([ROLE.instructor])).toBe('teacher');
    expect(mapRoles(['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant'])).toBe('teacher');
    expect(mapRoles([ROLE.administrator])).toBe('admin');
    expect(mapRoles(['http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator'])).toBe('admin');
    expect(mapRoles([ROLE.learner, ROLE.instructor])).toBe('teacher');
    expect(mapRoles([ROLE.mentor])).toBeUndefined();
    expect(mapRoles([])).toBeUndefined();
  });

  it('sends the browser from the login initiation to the platform with a single-use state and nonce, stored for the tenant', async () => {
    const hint = randomUUID();
    const res = await initiate(registration.loginUrl, platform, hint);
    expect(res.status).toBe(302);
    const auth = new URL(res.headers.get('location')!);
    expect(`${auth.origin}${auth.pathname}`).toBe(platform.authEndpoint);
    const q = auth.searchParams;
    expect(
      Object.fromEntries(['scope', 'response_type', 'response_mode', 'prompt', 'client_id', 'login_hint', 'lti_message_hint'].map((k) => [k, q.get(k)])),
    ).toEqual({
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: platform.clientId,
      login_hint: hint,
      lti_message_hint: 'message-hint',
    });
    expect(q.get('redirect_uri')).toBe(`${base}/v1/lti/launch`);
    const row = await db().selectFrom('lti_logins').selectAll().where('state', '=', q.get('state')!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ tenant_id: tenant.id, registration_id: registration.id, nonce: q.get('nonce') });
    expect(row.expires_at.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
  });

  it('refuses a login initiation from another issuer, client or deployment, and an unknown registration', async () => {
    const answer = async (res: Response) => ({ status: res.status, body: (await res.json()) as { type: string; reason?: string } });
    expect(await answer(await initiate(registration.loginUrl, platform, 'x', { iss: 'https://elsewhere.example' }))).toMatchObject({
      status: 400,
      body: { type: 'urn:veritas:problem:lti-launch-refused', reason: 'issuer' },
    });
    expect(await answer(await initiate(registration.loginUrl, platform, 'x', { client_id: 'another' }))).toMatchObject({
      status: 400,
      body: { reason: 'client-id' },
    });
    expect(await answer(await initiate(registration.loginUrl, platform, 'x', { lti_deployment_id: 'unknown' }))).toMatchObject({
      status: 400,
      body: { reason: 'deployment' },
    });
    const unknown = await initiate(`${base}/v1/lti/${randomUUID()}/login`, platform, 'x');
    expect(await answer(unknown)).toMatchObject({ status: 404, body: { type: 'urn:veritas:problem:lti-not-registered' } });
  });

  it('an instructor’s launch signs them in (linked by address), makes the course a class on the exam, and opens the exam’s dashboard, framed', async () => {
    const sub = `instructor-${randomUUID()}`;
    const r = await launch(registration.loginUrl, platform, {
      sub,
      roles: [ROLE.instructor],
      email: teacher.user.email,
      name: 'T. Teacher',
      context: course,
      custom: custom(),
    });
    expect(r.status, JSON.stringify(r.problem)).toBe(303);
    expect(r.location).toBe(`/exams/${examId}/analytics?lti=${registration.id}`);
    // Cookies that work inside the LMS's frame.
    for (const line of r.setCookies) expect(line).toMatch(/; Secure; .*SameSite=None|; SameSite=None.*; Secure/);
    for (const line of r.setCookies) expect(line).toContain('Partitioned');
    const refreshed = await refreshWith(r.cookies);
    expect(refreshed.status).toBe(200);
    for (const line of refreshed.headers.getSetCookie()) expect(line).toContain('SameSite=None');
    const { accessToken, user } = (await refreshed.json()) as { accessToken: string; user: { id: string; role: string; authMethod: string } };
    expect(user).toMatchObject({ id: teacher.user.id, role: 'teacher', authMethod: 'lti' });
    const classId = (await db().selectFrom('lti_contexts').select('class_id').where('context_id', '=', course.id).executeTakeFirstOrThrow()).class_id;
    const exam = await t.app.inject({ method: 'GET', url: `/v1/exams/${examId}`, headers: { authorization: `Bearer ${accessToken}` } });
    expect(exam.statusCode).toBe(200);
    expect(exam.json().classIds).toContain(classId);
    expect(await audited('lti.account-link')).toHaveLength(1);
    expect(await audited('lti.exam-class-add')).toHaveLength(1);
    expect((await audited('lti.launch')).map((e) => e.actor_id)).toContain(teacher.user.id);

    // The page it opens may be framed by the LMS only; other pages by no one.
    const page = await t.app.inject({ method: 'GET', url: r.location!, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain(`frame-ancestors ${platform.issuer}`);
    expect(page.headers['x-frame-options']).toBeUndefined();
    const plain = await t.app.inject({ method: 'GET', url: `/exams/${examId}/analytics`, headers: { accept: 'text/html' } });
    expect(plain.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(plain.headers['x-frame-options']).toBe('DENY');
    const unknown = await t.app.inject({ method: 'GET', url: `/exams/${examId}/analytics?lti=${randomUUID()}`, headers: { accept: 'text/html' } });
    expect(unknown.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('a learner’s first launch makes their account (no password) in the course’s class and opens the exam; the next launch finds it', async () => {
    const sub = `learner-${randomUUID()}`;
    const r = await launch(registration.loginUrl, platform, { sub, roles: [ROLE.learner], name: 'Ada Learner', context: course, custom: custom() });
    expect(r.status, JSON.stringify(r.problem)).toBe(303);
    expect(r.location).toBe(`/my/exams/${examId}/take?lti=${registration.id}`);
    const account = await db().selectFrom('lti_accounts').selectAll().where('sub', '=', sub).executeTakeFirstOrThrow();
    const user = await db().selectFrom('users').selectAll().where('id', '=', account.user_id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ tenant_id: tenant.id, role: 'student', display_name: 'Ada Learner', password_hash: null });
    expect(user.email).toMatch(/@lti\.invalid$/);
    const { accessToken } = (await (await refreshWith(r.cookies)).json()) as { accessToken: string };
    const mine = await t.app.inject({ method: 'GET', url: `/v1/exams/${examId}`, headers: { authorization: `Bearer ${accessToken}` } });
    expect(mine.statusCode, mine.body).toBe(200);

    const again = await launch(registration.loginUrl, platform, { sub, roles: [ROLE.learner], context: course, custom: custom() });
    expect(again.status).toBe(303);
    expect(await db().selectFrom('lti_accounts').selectAll().where('sub', '=', sub).execute()).toHaveLength(1);
    expect((await audited('lti.user-create')).filter((e) => e.resource_id === user.id)).toHaveLength(1);
  });

  it('an administrator’s launch without an exam signs in as admin; a learner of a course no teacher opened is told so', async () => {
    const r = await launch(registration.loginUrl, platform, { sub: `admin-${randomUUID()}`, roles: [ROLE.administrator] });
    expect(r.status, JSON.stringify(r.problem)).toBe(303);
    expect(r.location).toBe(`/exams?lti=${registration.id}`);
    const lone = await launch(registration.loginUrl, platform, { sub: `l-${randomUUID()}`, roles: [ROLE.learner], context: { id: `c-${randomUUID()}` } });
    refused(lone, 'course-not-set-up');
    refused(await launch(registration.loginUrl, platform, { sub: `m-${randomUUID()}`, roles: [ROLE.mentor] }), 'roles');
  });

  it('refuses a replayed launch: the same post again (state used), and the same id token with a fresh state (nonce)', async () => {
    const first = await launch(registration.loginUrl, platform, { sub: `r-${randomUUID()}`, roles: [ROLE.learner], context: course, custom: custom() });
    expect(first.status).toBe(303);
    const replay = await postLaunch(first.form);
    expect(replay.status).toBe(400);
    expect(replay.problem?.type).toBe('urn:veritas:problem:lti-state-invalid');
    // A new login's state, carrying the old token: its nonce is not this login's.
    const fresh = await initiate(registration.loginUrl, platform, 'fresh');
    const state = new URL(fresh.headers.get('location')!).searchParams.get('state')!;
    refused({ ...(await postLaunch({ ...first.form, state })), form: first.form }, 'nonce');
    expect((await audited('lti.launch-refused')).map((e) => (e.detail as { reason: string }).reason)).toContain('nonce');
  });

  it('refuses hostile id tokens with clear problems: wrong audience, expired, unknown deployment, another key, alg none', async () => {
    const spec = { roles: [ROLE.learner], context: course, custom: custom() };
    const sub = () => `h-${randomUUID()}`;
    refused(await launch(registration.loginUrl, platform, { ...spec, sub: sub(), override: { aud: 'another-tool', azp: undefined } }), 'audience');
    refused(
      await launch(registration.loginUrl, platform, { ...spec, sub: sub(), override: { aud: [platform.clientId, 'another-tool'], azp: 'another-tool' } }),
      'azp',
    );
    refused(await launch(registration.loginUrl, platform, { ...spec, sub: sub(), expiresIn: -120 }), 'expired');
    refused(
      await launch(registration.loginUrl, platform, {
        ...spec,
        sub: sub(),
        override: { 'https://purl.imsglobal.org/spec/lti/claim/deployment_id': 'deployment-unknown' },
      }),
      'deployment',
    );
    refused(await launch(registration.loginUrl, platform, { ...spec, sub: sub(), signing: 'other-key' }), 'signature');
    refused(await launch(registration.loginUrl, platform, { ...spec, sub: sub(), signing: 'none' }), 'algorithm');
    refused(
      await launch(registration.loginUrl, platform, { ...spec, sub: sub(), override: { 'https://purl.imsglobal.org/spec/lti/claim/version': '1.1' } }),
      'version',
    );
    refused(await launch(registration.loginUrl, platform, { ...spec, sub: sub(), override: { iss: 'https://elsewhere.example' } }), 'issuer');
    refused(
      await launch(registration.loginUrl, platform, {
        ...spec,
        sub: sub(),
        override: { 'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiSubmissionReviewRequest' },
      }),
      'message-type',
    );
    // None of them made an account.
    const made = await db().selectFrom('lti_accounts').select('sub').where('sub', 'like', 'h-%').execute();
    expect(made).toEqual([]);
  });

  it('follows the platform’s key rotation: a token signed by its new key verifies once the JWKS is fetched again', async () => {
    await platform.rotate();
    await new Promise((r) => setTimeout(r, 1100));
    const r = await launch(registration.loginUrl, platform, { sub: `rot-${randomUUID()}`, roles: [ROLE.learner], context: course, custom: custom() });
    expect(r.status, JSON.stringify(r.problem)).toBe(303);
  });
});

describe(`Veritas as a client of the platform’s services (${TEST_DB})`, () => {
  it('publishes its RS256 keys and gets a token at the platform’s token endpoint with a JWT client assertion the platform verifies against them', async () => {
    const jwks = (await (await fetch(`${base}/v1/lti/jwks`)).json()) as { keys: { kty: string; alg: string; kid: string; d?: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const k of jwks.keys) expect(k).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys.some((k) => 'd' in k || 'p' in k)).toBe(false);
    const row = await db().selectFrom('lti_registrations').selectAll().where('id', '=', registration.id).executeTakeFirstOrThrow();
    const scopes = ['https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly'];
    const token = await t.app.services.lti.platformToken(row, scopes);
    expect(token).toMatch(/^at-/);
    const [assertion] = platform.assertions.slice(-1);
    expect(assertion).toMatchObject({ iss: platform.clientId, sub: platform.clientId, aud: platform.tokenEndpoint });
    expect(typeof assertion!.jti).toBe('string');
    // Kept until it nears its expiry: no second request.
    expect(await t.app.services.lti.platformToken(row, scopes)).toBe(token);
    expect(platform.assertions).toHaveLength(1);
    // A platform that does not know Veritas's key refuses the assertion: said as the LMS being unusable, not a crash.
    const stranger = await startTestPlatform({ clientId: platform.clientId });
    stranger.toolJwksUrl = platform.jwksUrl; // the platform's own keys, not Veritas's
    try {
      await expect(t.app.services.lti.platformToken({ ...row, id: randomUUID(), token_endpoint: stranger.tokenEndpoint }, scopes)).rejects.toMatchObject({
        code: 'lti-platform-unavailable',
      });
    } finally {
      await stranger.close();
    }
  });
});
