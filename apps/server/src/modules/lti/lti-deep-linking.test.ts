import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildPerson, buildTenant, type Person } from '../../testing/people';
import { createExam } from '../../testing/exam-live';
import type { TenantRow } from '../people';
import { launch, postLaunch, type LaunchResult } from './testing/lti-flow';
import { registerPlatform, startToolAndPlatform } from '../../testing/lti-registration';
import { ROLE, type TestPlatform } from './testing/test-platform';
import { answerFormOf, postAnswer, startDeepLinkReturn, type DeepLinkReturn } from './testing/test-platform-deep-linking';
import { auditedAction } from '../../testing/linked-audit';

/**
 * Issue 17, deep linking (LTI Deep Linking 2.0) against the test LMS over real HTTP: a teacher's
 * deep-linking launch opens the picker, the pick goes back as a response JWT the platform verifies
 * against Veritas's JWKS, and the link it placed opens the exam; hostile requests and answers are refused.
 */

let t: TestApp;
let base: string;
let platform: TestPlatform;
let lms: DeepLinkReturn;
let tenant: TenantRow;
let admin: Person;
let teacher: Person;
let colleague: Person;
let examId: string;
let colleagueExamId: string;
let foreignExamId: string;
let registration: { id: string; loginUrl: string };

const db = () => t.app.services.database.db;
const audited = (action: string) => auditedAction(t.app.services, action, tenant.id);
const course = { id: `course-${randomUUID()}`, title: 'Geography 7B' };
const tokenOf = (location: string) => /^\/lti\/deep-link\/([A-Za-z0-9_-]{43})\?lti=/.exec(location)?.[1];

const refused = (r: LaunchResult, reason: string) => {
  expect(r.status, JSON.stringify(r.problem)).toBe(400);
  expect(r.problem).toMatchObject({ type: 'urn:veritas:problem:lti-launch-refused', reason });
  expect(r.cookies).toEqual({});
};

async function accessTokenOf(cookies: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/v1/auth/refresh`, {
    method: 'POST',
    headers: {
      cookie: `veritas_refresh=${cookies.veritas_refresh}; veritas_csrf=${cookies.veritas_csrf}`,
      'x-csrf-token': cookies.veritas_csrf!,
      'content-type': 'application/json',
    },
    body: '{}',
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** The instructor's deep-linking launch: where it sent the browser, the picker's token, and the signed-in person's access token. */
async function deepLinkingLaunch(as: Person = teacher, extra: Parameters<DeepLinkReturn['request']>[1] = {}) {
  const r = await launch(
    registration.loginUrl,
    platform,
    lms.request({ sub: `dl-${as.user.id}`, roles: [ROLE.instructor], email: as.user.email, name: as.user.display_name, context: course }, extra),
  );
  expect(r.status, JSON.stringify(r.problem)).toBe(303);
  const token = tokenOf(r.location!);
  expect(token, r.location!).toBeDefined();
  return { location: r.location!, token: token!, accessToken: await accessTokenOf(r.cookies) };
}

/** The picker's form post, as the browser sends it. */
const answer = (token: string, fields: Record<string, string>) =>
  fetch(`${base}/v1/lti/deep-links/${token}/response`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

beforeAll(async () => {
  ({ t, base, platform } = await startToolAndPlatform());
  lms = await startDeepLinkReturn(platform);
  tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin');
  teacher = await buildPerson(t.app, tenant, 'teacher', { email: `dl-teacher-${randomUUID()}@school.test` });
  colleague = await buildPerson(t.app, tenant, 'teacher', { email: `dl-colleague-${randomUUID()}@school.test` });
  for (const p of [teacher, colleague]) await t.app.inject({ method: 'POST', url: '/v1/classes', headers: p.headers, payload: { name: 'Own class' } });
  examId = await createExam(t.app, teacher, { title: 'Rivers of Europe' });
  colleagueExamId = await createExam(t.app, colleague, { title: 'Not yours' });
  const other = await buildTenant(t.app);
  const stranger = await buildPerson(t.app, other, 'teacher');
  await t.app.inject({ method: 'POST', url: '/v1/classes', headers: stranger.headers, payload: { name: 'Their class' } });
  foreignExamId = await createExam(t.app, stranger, { title: 'Another institution’s' });
  registration = await registerPlatform(t.app, admin, platform);
});
afterAll(async () => {
  await lms?.close();
  await platform?.close();
  await t?.close();
});

describe(`LTI deep linking (${TEST_DB})`, () => {
  it('request → pick → a response JWT the platform verifies → the placed link opens the exam for learners and its dashboard for the teacher', async () => {
    // The URL the admin pastes into the LMS for deep linking: the launch URL, which tells the message types apart.
    const settings = (await (await fetch(`${base}/v1/admin/lti`, { headers: admin.headers })).json()) as { tool: { deepLinkingUrl: string } };
    expect(settings.tool.deepLinkingUrl).toBe(`${base}/v1/lti/launch`);
    const { location, token, accessToken } = await deepLinkingLaunch(teacher, { title: 'Suggested by the LMS', acceptLineItem: true });
    // The picker page, framed by the LMS only.
    const page = await t.app.inject({ method: 'GET', url: location, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain(`frame-ancestors ${platform.issuer}`);
    expect(page.headers['x-frame-options']).toBeUndefined();
    // What the page reads: the request (its person only), and the exams they manage.
    const bearer = { authorization: `Bearer ${accessToken}` };
    const view = await t.app.inject({ method: 'GET', url: `/v1/lti/deep-links/${token}`, headers: bearer });
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json()).toMatchObject({ registrationName: 'Test LMS', suggestedTitle: 'Suggested by the LMS' });
    expect(new Date(view.json().expiresAt).getTime() - Date.now()).toBeGreaterThan(55 * 60_000);
    const mine = await t.app.inject({ method: 'GET', url: '/v1/exams', headers: bearer });
    expect((mine.json() as { items: { id: string }[] }).items.map((e) => e.id)).toEqual([examId]);

    // The pick: an answer page that posts the signed response to the LMS, with its own CSP.
    const res = await answer(token, { action: 'place', examId });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`form-action ${new URL(lms.returnUrl).origin}`);
    expect(csp).toContain(`frame-ancestors ${platform.issuer}`);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(res.headers.get('x-frame-options')).toBeNull();
    const html = await res.text();
    expect(html).toMatch(/<button type="submit">Return to the course<\/button>/);
    const form = answerFormOf(html);
    expect(form.action).toBe(lms.returnUrl);

    const returned = await postAnswer(form);
    expect(returned.status, returned.text).toBe(200);
    expect(lms.refusals).toEqual([]);
    const [placed] = lms.placements.slice(-1);
    const jwks = (await (await fetch(`${base}/v1/lti/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(placed!.kid);
    expect(placed!.items).toEqual([
      {
        type: 'ltiResourceLink',
        url: `${base}/v1/lti/launch`,
        title: 'Rivers of Europe',
        custom: { veritas_exam_id: examId },
        lineItem: { scoreMaximum: 20, label: 'Rivers of Europe', resourceId: examId },
      },
    ]);
    expect(placed!.data).toMatch(/^data-/);
    // Audited, and the course's class is on the exam.
    const [entry] = (await audited('lti.deep-link')).filter((e) => e.resource_id === examId);
    expect(entry).toMatchObject({ actor_id: teacher.user.id });
    const classId = (await db().selectFrom('lti_contexts').select('class_id').where('context_id', '=', course.id).executeTakeFirstOrThrow()).class_id;
    const exam = await t.app.inject({ method: 'GET', url: `/v1/exams/${examId}`, headers: teacher.headers });
    expect(exam.json().classIds).toContain(classId);

    // The link the LMS placed, launched by a learner of the course and by the teacher, with the custom claim it carries.
    const custom = placed!.items[0]!.custom!;
    const learner = await launch(registration.loginUrl, platform, { sub: `l-${randomUUID()}`, roles: [ROLE.learner], context: course, custom });
    expect(learner.status, JSON.stringify(learner.problem)).toBe(303);
    expect(learner.location).toBe(`/my/exams/${examId}/take?lti=${registration.id}`);
    const asLearner = { authorization: `Bearer ${await accessTokenOf(learner.cookies)}` };
    expect((await t.app.inject({ method: 'GET', url: `/v1/exams/${examId}`, headers: asLearner })).statusCode).toBe(200);
    const again = await launch(registration.loginUrl, platform, {
      sub: `dl-${teacher.user.id}`,
      roles: [ROLE.instructor],
      email: teacher.user.email,
      context: course,
      custom,
    });
    expect(again.location).toBe(`/exams/${examId}/analytics?lti=${registration.id}`);

    // Answered once: the same request cannot answer again, and the platform refuses the same response twice (its nonce).
    const twice = await answer(token, { action: 'place', examId });
    expect(twice.status).toBe(400);
    expect(((await twice.json()) as { type: string }).type).toBe('urn:veritas:problem:lti-deep-link-invalid');
    expect((await postAnswer(form)).status).toBe(400);
    expect(lms.refusals.slice(-1)[0]).toMatch(/^nonce/);
  });

  it('a teacher who cancels sends back no content item; a line item only when the platform takes them', async () => {
    const { token } = await deepLinkingLaunch();
    const res = await answer(token, { action: 'cancel' });
    expect(res.status).toBe(200);
    expect((await postAnswer(answerFormOf(await res.text()))).status).toBe(200);
    expect(lms.placements.slice(-1)[0]!.items).toEqual([]);
    expect(await audited('lti.deep-link-cancel')).toHaveLength(1);

    const plain = await deepLinkingLaunch(teacher, { data: null });
    const placed = await answer(plain.token, { action: 'place', examId });
    expect((await postAnswer(answerFormOf(await placed.text()))).status).toBe(200);
    const last = lms.placements.slice(-1)[0]!;
    expect(last.items[0]).not.toHaveProperty('lineItem');
    expect(last.data).toBeUndefined();
    expect(last.payload).not.toHaveProperty('https://purl.imsglobal.org/spec/lti-dl/claim/data');
  });

  it('refuses a learner’s deep-linking request, and one the tool cannot answer, with clear problems and no account made', async () => {
    const sub = `dl-learner-${randomUUID()}`;
    refused(await launch(registration.loginUrl, platform, lms.request({ sub, roles: [ROLE.learner], context: course })), 'deep-linking-role');
    expect(await db().selectFrom('lti_accounts').select('sub').where('sub', '=', sub).execute()).toEqual([]);
    const spec = { sub: `dl-x-${randomUUID()}`, roles: [ROLE.instructor], context: course };
    refused(await launch(registration.loginUrl, platform, lms.request(spec, { settings: null })), 'deep-linking-settings');
    refused(await launch(registration.loginUrl, platform, lms.request(spec, { acceptTypes: ['link', 'file'] })), 'deep-linking-settings');
    refused(
      await launch(
        registration.loginUrl,
        platform,
        lms.request(spec, { settings: { deep_link_return_url: 'javascript:alert(1)', accept_types: ['ltiResourceLink'] } }),
      ),
      'deep-linking-settings',
    );
    const refusals = (await audited('lti.launch-refused')).map((e) => (e.detail as { reason: string }).reason);
    expect(refusals).toEqual(expect.arrayContaining(['deep-linking-role', 'deep-linking-settings']));
  });

  it('refuses replayed and expired deep-linking requests', async () => {
    // The launch's form posted again: its state is used.
    const first = await launch(
      registration.loginUrl,
      platform,
      lms.request({ sub: `dl-${teacher.user.id}`, roles: [ROLE.instructor], email: teacher.user.email }),
    );
    expect(first.status).toBe(303);
    const replay = await postLaunch(first.form);
    expect(replay.status).toBe(400);
    expect(replay.problem?.type).toBe('urn:veritas:problem:lti-state-invalid');
    // An expired id token.
    refused(
      await launch(registration.loginUrl, platform, { ...lms.request({ sub: `dl-${randomUUID()}`, roles: [ROLE.instructor] }), expiresIn: -120 }),
      'expired',
    );
    // A request older than its hour: neither its page nor its answer works.
    const { token, accessToken } = await deepLinkingLaunch();
    await db()
      .updateTable('lti_deep_links')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', teacher.user.id)
      .where('used_at', 'is', null)
      .execute();
    const view = await t.app.inject({ method: 'GET', url: `/v1/lti/deep-links/${token}`, headers: { authorization: `Bearer ${accessToken}` } });
    expect(view.statusCode).toBe(400);
    expect(view.json().type).toBe('urn:veritas:problem:lti-deep-link-invalid');
    const late = await answer(token, { action: 'place', examId });
    expect(late.status).toBe(400);
    expect(((await late.json()) as { type: string }).type).toBe('urn:veritas:problem:lti-deep-link-invalid');
    // An unknown token, the same.
    const unknown = await answer('A'.repeat(43), { action: 'place', examId });
    expect(unknown.status).toBe(400);
  });

  it('places only the teacher’s own exams: another institution’s or a colleague’s is not found; their request is theirs alone', async () => {
    const placedBefore = lms.placements.length;
    const { token } = await deepLinkingLaunch();
    for (const id of [foreignExamId, colleagueExamId, 'no-such-exam']) {
      const r = await answer(token, { action: 'place', examId: id });
      expect(r.status, id).toBe(404);
      expect(((await r.json()) as { type: string }).type).toBe('urn:veritas:problem:not-found');
    }
    // Placing needs an exam; bad fields are refused before anything.
    expect((await answer(token, { action: 'place' })).status).toBe(400);
    expect((await answer(token, { action: 'place', examId: 'x'.repeat(65) })).status).toBe(400);
    // The colleague, signed in, cannot read this teacher's request.
    const theirs = await t.app.inject({ method: 'GET', url: `/v1/lti/deep-links/${token}`, headers: colleague.headers });
    expect(theirs.statusCode).toBe(404);
    // None of that used the request up: the teacher's own exam still goes through.
    const ok = await answer(token, { action: 'place', examId });
    expect(ok.status).toBe(200);
    expect((await postAnswer(answerFormOf(await ok.text()))).status).toBe(200);
    expect(lms.placements).toHaveLength(placedBefore + 1);

    // A link (hand-made in the LMS) naming another institution's exam opens nothing.
    const learner = await launch(registration.loginUrl, platform, {
      sub: `l-${randomUUID()}`,
      roles: [ROLE.learner],
      context: course,
      custom: { veritas_exam_id: foreignExamId },
    });
    refused(learner, 'exam');
    const instructor = await launch(registration.loginUrl, platform, {
      sub: `dl-${teacher.user.id}`,
      roles: [ROLE.instructor],
      email: teacher.user.email,
      context: course,
      custom: { veritas_exam_id: foreignExamId },
    });
    refused(instructor, 'exam');
  });

  it('the platform refuses an answer not signed by the tool’s published keys', async () => {
    const { token } = await deepLinkingLaunch();
    const res = await answer(token, { action: 'place', examId });
    const form = answerFormOf(await res.text());
    const [head, body] = form.jwt.split('.');
    // Another payload under the tool's signature: the signature no longer holds.
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), aud: 'x' })).toString('base64url');
    const r = await postAnswer({ ...form, jwt: `${head}.${forged}.${form.jwt.split('.')[2]}` });
    expect(r.status).toBe(400);
    expect(lms.refusals.slice(-1)[0]).toMatch(/signature/);
  });
});
