import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, ApiScope, Role } from '../src/kernel/actor';
import { decide, type Access } from '../src/kernel/policy';
import { tenantId as tenantIdOf } from '../src/kernel/scope';
import { argon2Hasher } from '../src/modules/auth';
import { randomToken, tokenHash } from '../src/modules/auth';
import { buildInstitution, recordAs, until, type Institution, type Recorded } from '../src/testing/institution';
import { buildPerson, type Person } from '../src/testing/people';
import { forgeTokens, type ForgedTokens } from '../src/testing/forged-tokens';
import { createTestApp, type TestApp } from '../src/testing/test-app';
import { buildBatch, buildBundle } from '../src/testing/factories';
import { linkedAudit } from '../src/testing/linked-audit';

/**
 * Issue 10, the security matrix: every route of the OpenAPI document (and the hidden ones), asked by
 * every role of institution A, by institution B's admin on A's ids, with no token, an expired token,
 * forged tokens (another key, `alg: none`, an unknown kid, HS256 keyed with the public key), a revoked
 * API key, a key without the scope and one with it. The expected answer of each cell is derived from
 * the route's declared access and kernel/policy.ts's decide() with the world's grants; the exceptions
 * (what a handler decides after the access hook) are spelled out in the rows. A route without a row fails.
 */

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface Req {
  url: string;
  payload?: object;
}
interface World {
  school: Institution;
  /** Teacher and student of institution B. */
  bTeacher: Person;
  bStudent: Person;
  /** Signs in with a password: for the sign-in routes. */
  signer: Person;
  /** S1's session (tenant A), ended. */
  owned: Recorded;
  /** An anonymous public session. */
  open: Recorded;
  /** A session of institution B. */
  bSession: Recorded;
  classA: string;
  classB: string;
  keys: { full: string; writeOnly: string; revoked: string };
  keyIdB: string;
  invitationB: string;
  linkA: string;
  linkB: string;
  forged: ForgedTokens;
  /** An open exam of A's teacher for classA (S1 takes it), S1's attempt at it, and an exam of B. */
  examA: string;
  attemptA: string;
  examB: string;
  /** B's student's attempt at examB. */
  attemptB: string;
  /** A webhook endpoint of A and one of B, each with a message in its log. */
  hookA: string;
  hookB: string;
  deliveryA: string;
  deliveryB: string;
  /** A built subject-access archive of S1 asked by A's admin, and one of B's student asked by B's admin (ADR 0029). */
  exportA: { id: string; token: string; admin: Person };
  exportB: { id: string; token: string; admin: Person };
}

let t: TestApp;
let w: World;
const PASSWORD = 'matrix walk passphrase';

const json = <T = Record<string, unknown>>(r: { statusCode: number; body: string }, status: number, what: string): T => {
  if (r.statusCode !== status) throw new Error(`${what} answered ${r.statusCode}: ${r.body}`);
  return (r.body ? JSON.parse(r.body) : {}) as T;
};
const as = (p: Person) => p.headers;
const inject = (method: Method, url: string, headers: Record<string, string>, payload?: object) =>
  method === 'GET' && EXAM_LIVE.test(url) ? streamed(url, headers) : t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
/** An exam's live view never ends by itself: it is asked over HTTP, its answer read up to its headers (a problem in full). */
const EXAM_LIVE = /^\/v1\/exams\/[^/]+\/live(\?|$)/;
async function streamed(url: string, headers: Record<string, string>): Promise<{ statusCode: number; body: string }> {
  const { port } = t.app.server.address() as { port: number };
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { headers, signal: controller.signal });
  const body = res.status === 200 ? '' : await res.text();
  controller.abort();
  return { statusCode: res.status, body };
}

async function newClass(tenantId: string, teacherId: string, studentId?: string): Promise<string> {
  const id = `c-${randomBytes(6).toString('hex')}`;
  const db = t.app.services.database.db;
  await db
    .insertInto('classes')
    .values({ id, tenant_id: tenantId, name: `Class ${id}`, teacher_id: teacherId })
    .execute();
  if (studentId) await db.insertInto('class_members').values({ class_id: id, user_id: studentId, tenant_id: tenantId }).execute();
  return id;
}
async function newKey(admin: Person, scopes: ApiScope[]): Promise<{ id: string; key: string }> {
  return json(await inject('POST', '/v1/admin/api-keys', as(admin), { name: 'matrix', scopes }), 201, 'creating a key');
}
/** A webhook endpoint of the admin's institution (never delivered to here: an unreachable example host). */
async function newHook(admin: Person): Promise<{ id: string }> {
  const payload = { url: 'https://hooks.example.invalid/matrix', events: ['attempt.graded'] };
  return json(await inject('POST', '/v1/admin/webhooks', as(admin), payload), 201, 'creating a webhook endpoint');
}
/** An LMS registration body (its URLs are never fetched by these routes); a fresh client id each time, as one per issuer and client is allowed. */
const ltiBody = () => ({
  name: 'Matrix LMS',
  issuer: 'https://lms.matrix.example',
  clientId: `matrix-${randomBytes(5).toString('hex')}`,
  deploymentIds: ['matrix-deployment'],
  jwksUrl: 'https://lms.matrix.example/jwks',
  authEndpoint: 'https://lms.matrix.example/auth',
  tokenEndpoint: 'https://lms.matrix.example/token',
});
const ltiLogin = () => ({ iss: 'https://lms.matrix.example', login_hint: 'matrix', target_link_uri: 'https://veritas.example/launch' });
async function newLtiRegistration(admin: Person): Promise<string> {
  return json<{ id: string }>(await inject('POST', '/v1/admin/lti/registrations', as(admin), ltiBody()), 201, 'registering an LMS').id;
}
const ltiRegistrations: { a?: Promise<string>; b?: Promise<string> } = {};
let victim: string | undefined;
/** A registration of A's for the delete row: made again only once the last one was deleted (an institution registers at most 20). */
async function ltiVictim(): Promise<string> {
  const db = t.app.services.database.db;
  const alive = victim && (await db.selectFrom('lti_registrations').select('id').where('id', '=', victim).executeTakeFirst());
  if (!alive) victim = await newLtiRegistration(w.school.admin);
  return victim!;
}
/** A's (or B's) one registration, made on first use. */
const ltiRegistration = (of: 'a' | 'b') => (ltiRegistrations[of] ??= newLtiRegistration(of === 'a' ? w.school.admin : w.school.stranger));
/** A deep-linking request of this person's in flight (as their deep-linking launch from A's or B's LMS leaves it): its token. */
async function newDeepLink(person: Person): Promise<string> {
  const token = randomToken();
  const registrationId = await ltiRegistration(person.user.tenant_id === w.school.tenant.id ? 'a' : 'b');
  await t.app.services.database.db
    .insertInto('lti_deep_links')
    .values({
      token_hash: tokenHash(token),
      tenant_id: person.user.tenant_id,
      registration_id: registrationId,
      user_id: person.user.id,
      deployment_id: 'matrix-deployment',
      return_url: 'https://lms.matrix.example/deep-link-return',
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
  return token;
}
/** The person a caller of A is (keys: A's admin made the request). */
const personOf = (caller: Caller = 'admin'): Person => (caller === 'keyFull' || caller === 'keyWriteOnly' ? w.school.admin : w.school[caller]);
let ltiCourseA: Promise<string> | undefined;
/**
 * classA as an LMS course whose launch named a roster service (ADR 0028, "Grades and rosters"): the sync
 * job the route enqueues fails in the background on a token endpoint that refuses connections.
 */
const ltiCourse = () =>
  (ltiCourseA ??= (async () => {
    const db = t.app.services.database.db;
    const body = { ...ltiBody(), tokenEndpoint: 'http://127.0.0.1:9/token' };
    const registrationId = json<{ id: string }>(await inject('POST', '/v1/admin/lti/registrations', as(w.school.admin), body), 201, 'registering').id;
    const row = { tenant_id: w.school.tenant.id, registration_id: registrationId, context_id: 'matrix-course' };
    await db
      .insertInto('lti_contexts')
      .values({ ...row, class_id: w.classA })
      .execute();
    await db
      .insertInto('lti_links')
      .values({
        ...row,
        id: `matrix-${randomBytes(6).toString('hex')}`,
        deployment_id: 'matrix-deployment',
        resource_link_id: 'matrix-link',
        ags_scopes: '[]',
        nrps_url: 'http://127.0.0.1:9/memberships',
      })
      .execute();
    return w.classA;
  })());
async function newInvitation(admin: Person): Promise<string> {
  const r = json<{ id: string }>(
    await inject('POST', '/v1/admin/invitations', as(admin), { email: `inv-${randomBytes(5).toString('hex')}@matrix.test`, role: 'student' }),
    201,
    'inviting',
  );
  return r.id;
}
async function newShareLink(person: Person, sessionId: string): Promise<string> {
  return json<{ id: string }>(await inject('POST', `/v1/sessions/${sessionId}/share-links`, as(person), {}), 201, 'sharing').id;
}
/** A legal hold placed by this admin on a session of their institution. */
async function newHold(admin: Person, sessionId: string): Promise<string> {
  return json<{ id: string }>(
    await inject('POST', '/v1/admin/legal-holds', as(admin), { subjectKind: 'session', subjectId: sessionId, reason: 'matrix hold' }),
    201,
    'placing a hold',
  ).id;
}
/** A consent text published as the next version by A's admin: each agreement is then a first one. */
async function newConsentVersion(): Promise<number> {
  return json<{ version: number }>(
    await inject('POST', '/v1/admin/consent/texts', as(w.school.admin), { title: 'Matrix consent', body: 'We record.' }),
    201,
    'publishing consent',
  ).version;
}
/** A subject-access export asked by this admin for this person (its archive is built by the job meanwhile). */
async function askExport(admin: Person, subject: Person): Promise<{ id: string; token: string; admin: Person }> {
  const e = json<{ id: string; token: string }>(
    await inject('POST', `/v1/admin/users/${subject.user.id}/subject-export`, as(admin)),
    202,
    'asking for an export',
  );
  return { ...e, admin };
}
const exportsBuilt = new Map<string, Promise<void>>();
/** The export once its archive is built (waited for once). */
async function built(e: { id: string; token: string; admin?: Person }): Promise<{ id: string; token: string }> {
  const wait = async () =>
    until(
      async () => json<{ status: string }>(await inject('GET', `/v1/subject-exports/${e.id}`, as(e.admin!)), 200, 'its status').status === 'done',
      'the archive',
    );
  if (!exportsBuilt.has(e.id)) exportsBuilt.set(e.id, wait());
  await exportsBuilt.get(e.id);
  return e;
}
/** A session of S1's, created (not ended), for the routes that destroy or write it. */
async function freshOwned(): Promise<Recorded> {
  return recordAs(t.app, w.school.student, { events: [], end: false });
}
/** An ended session of this person's with its certificate issued, for the routes that revoke it. */
async function certified(person: Person): Promise<Recorded> {
  const s = await recordAs(t.app, person);
  await until(async () => (await inject('GET', `/v1/sessions/${s.id}/certificate`, as(person))).statusCode === 200, 'its certificate');
  return s;
}
async function freshBundleId() {
  return `matrixBundle${randomBytes(6).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// The rows. `a` builds a valid request on institution A's resources (fresh ones where the route
// destroys or changes what other cells use); `b`, the same request on institution B's ids.
// `ok`: the answers that count as let through (default: 2xx). `except`: cells whose answer a handler
// decides after the access hook, with why. `audit`: the action a let-through request records.
// ---------------------------------------------------------------------------------------------

type Caller = 'admin' | 'teacher' | 'otherTeacher' | 'observer' | 'student' | 'otherStudent' | 'keyFull' | 'keyWriteOnly';
interface Row {
  a(caller?: Caller): Promise<Req> | Req;
  b?(): Promise<Req> | Req;
  ok?: number[];
  except?: Partial<Record<Caller, number>>;
  audit?: string;
  /** Who the audit check acts as, when the admin may not (default: the admin). */
  auditAs?: 'teacher' | 'student';
}

const sid = () => w.owned.id;
const ROWS: Record<string, Row> = {
  'GET /health': { a: () => ({ url: '/health' }) },
  'GET /ready': { a: () => ({ url: '/ready' }) },
  'GET /metrics': { a: () => ({ url: '/metrics' }) },
  'GET /openapi.json': { a: () => ({ url: '/openapi.json' }) },
  'GET /.well-known/jwks.json': { a: () => ({ url: '/.well-known/jwks.json' }) },
  // The recorder's build for pages (modules/sdk): open to anyone; 404 when this checkout has not built it.
  'GET /sdk/recorder.js': { a: () => ({ url: '/sdk/recorder.js' }), ok: [200, 404] },
  'GET /sdk/recorder@{version}.js': { a: () => ({ url: '/sdk/recorder@0.1.0.js' }), ok: [200, 404] },
  'GET /v1/demo/sessions': { a: () => ({ url: '/v1/demo/sessions' }) },
  // Declared sessions:list: anyone lists (the published sessions), a dead credential is 401 and a key without sessions:read 403, by the table.
  'GET /v1/sessions': { a: () => ({ url: '/v1/sessions' }) },
  'POST /v1/sessions': { a: () => ({ url: '/v1/sessions', payload: { kind: 'writing' } }), audit: 'session.create' },
  'POST /v1/bundles': { a: async () => ({ url: '/v1/bundles', payload: await buildBundle({ id: await freshBundleId() }) }), audit: 'session.upload' },
  'GET /v1/sessions/{id}': { a: () => ({ url: `/v1/sessions/${sid()}` }), b: () => ({ url: `/v1/sessions/${w.bSession.id}` }) },
  'DELETE /v1/sessions/{id}': {
    a: async () => ({ url: `/v1/sessions/${(await freshOwned()).id}` }),
    b: async () => ({ url: `/v1/sessions/${(await recordAs(t.app, w.bStudent, { end: false })).id}` }),
    audit: 'session.delete',
  },
  'GET /v1/sessions/{id}/events': {
    a: () => ({ url: `/v1/sessions/${sid()}/events` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/events` }),
    audit: 'session.events.read',
  },
  'POST /v1/sessions/{id}/events': {
    a: async () => {
      const s = await freshOwned();
      return { url: `/v1/sessions/${s.id}/events`, payload: await buildBatch({ sessionId: s.id, writeToken: s.writeToken }) };
    },
  },
  'POST /v1/sessions/{id}/end': { a: async () => ({ url: `/v1/sessions/${(await freshOwned()).id}/end` }) },
  'GET /v1/sessions/{id}/bundle': {
    a: () => ({ url: `/v1/sessions/${sid()}/bundle` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/bundle` }),
    audit: 'session.export',
  },
  'GET /v1/sessions/{id}/data': {
    a: () => ({ url: `/v1/sessions/${sid()}/data?format=csv` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/data` }),
    audit: 'session.data.export',
  },
  'GET /v1/sessions/{id}/replay': {
    a: () => ({ url: `/v1/sessions/${sid()}/replay` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/replay` }),
    audit: 'session.replay.read',
  },
  'GET /v1/sessions/{id}/analysis': {
    a: () => ({ url: `/v1/sessions/${sid()}/analysis` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/analysis` }),
    ok: [200, 202],
    audit: 'session.analysis.read',
  },
  'GET /v1/sessions/{id}/certificate': {
    a: () => ({ url: `/v1/sessions/${sid()}/certificate` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/certificate` }),
    ok: [200, 202],
  },
  'POST /v1/sessions/{id}/certificate/revoke': {
    a: async () => ({ url: `/v1/sessions/${(await certified(w.school.student)).id}/certificate/revoke`, payload: { reason: 'matrix' } }),
    b: async () => ({ url: `/v1/sessions/${(await certified(w.bStudent)).id}/certificate/revoke`, payload: { reason: 'matrix' } }),
    audit: 'certificate.revoke',
  },
  'GET /v1/certificates/revoked': { a: () => ({ url: '/v1/certificates/revoked' }) },
  'GET /v1/sessions/{id}/alerts': { a: () => ({ url: `/v1/sessions/${sid()}/alerts` }), b: () => ({ url: `/v1/sessions/${w.bSession.id}/alerts` }) },
  'GET /v1/sessions/{id}/report': {
    a: () => ({ url: `/v1/sessions/${sid()}/report` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/report` }),
    ok: [200, 202],
    audit: 'session.report.read',
  },
  'GET /v1/sessions/{id}/report.pdf': {
    a: () => ({ url: `/v1/sessions/${sid()}/report.pdf` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/report.pdf` }),
    ok: [200, 202],
    audit: 'session.report.read',
  },
  'GET /v1/sessions/{id}/export.idfx': {
    a: () => ({ url: `/v1/sessions/${sid()}/export.idfx` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/export.idfx` }),
    audit: 'session.data.export',
  },
  // docs/adr/0030-stored-files-and-download-links.md: a link to a stored file, by whoever reads the session.
  'POST /v1/sessions/{id}/download-links': {
    a: () => ({ url: `/v1/sessions/${sid()}/download-links`, payload: { format: 'csv' } }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/download-links`, payload: { format: 'csv' } }),
    audit: 'session.download.link',
  },
  // The grant in the query is the credential: any caller holding the link gets the file.
  'GET /v1/downloads': {
    a: async () => {
      const made = json<{ url: string }>(
        await inject('POST', `/v1/sessions/${sid()}/download-links`, as(w.school.student), { format: 'csv' }),
        201,
        'making a download link',
      );
      const url = new URL(made.url);
      return { url: `${url.pathname}${url.search}` };
    },
  },
  // The session is ended: its stream sends the stored events and the end, then closes.
  'GET /v1/sessions/{id}/live': {
    a: () => ({ url: `/v1/sessions/${sid()}/live` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/live` }),
    audit: 'session.live.read',
  },
  'POST /v1/sessions/{id}/live-tickets': {
    a: () => ({ url: `/v1/sessions/${sid()}/live-tickets` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/live-tickets` }),
  },
  'POST /v1/sessions/{id}/share-links': {
    a: () => ({ url: `/v1/sessions/${sid()}/share-links`, payload: {} }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/share-links`, payload: {} }),
    audit: 'share-link.create',
  },
  'GET /v1/sessions/{id}/share-links': {
    a: () => ({ url: `/v1/sessions/${sid()}/share-links` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/share-links` }),
  },
  'GET /v1/sessions/{id}/share-link': {
    a: () => ({ url: `/v1/sessions/${sid()}/share-link` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/share-link` }),
  },
  'DELETE /v1/sessions/{id}/share-links/{linkId}': {
    a: async () => ({ url: `/v1/sessions/${sid()}/share-links/${await newShareLink(w.school.admin, sid())}` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/share-links/${w.linkB}` }),
    audit: 'share-link.revoke',
  },
  'GET /v1/admin/users': { a: () => ({ url: '/v1/admin/users' }) },
  'GET /v1/admin/users/{userId}': {
    a: () => ({ url: `/v1/admin/users/${w.school.student.user.id}` }),
    b: () => ({ url: `/v1/admin/users/${w.bStudent.user.id}` }),
  },
  'PATCH /v1/admin/users/{userId}': {
    a: () => ({ url: `/v1/admin/users/${w.school.otherStudent.user.id}`, payload: { displayName: `Renamed ${randomBytes(3).toString('hex')}` } }),
    b: () => ({ url: `/v1/admin/users/${w.bStudent.user.id}`, payload: { displayName: 'Renamed' } }),
    audit: 'user.update',
  },
  // A fresh student each time: an erased person is gone for the next cell.
  'POST /v1/admin/users/{userId}/erasure': {
    a: async () => ({ url: `/v1/admin/users/${(await buildPerson(t.app, w.school.tenant, 'student')).user.id}/erasure` }),
    b: async () => ({ url: `/v1/admin/users/${(await buildPerson(t.app, w.school.otherTenant, 'student')).user.id}/erasure` }),
    audit: 'person.erase',
  },
  // A fresh observer each time: linking what is linked records nothing.
  'PUT /v1/admin/users/{observerId}/teachers/{teacherId}': {
    a: async () => ({ url: `/v1/admin/users/${(await freshObserver(false)).user.id}/teachers/${w.school.otherTeacher.user.id}` }),
    b: () => ({ url: `/v1/admin/users/${w.bStudent.user.id}/teachers/${w.bTeacher.user.id}` }),
    audit: 'observer.link',
  },
  'DELETE /v1/admin/users/{observerId}/teachers/{teacherId}': {
    a: async () => ({ url: `/v1/admin/users/${(await freshObserver(true)).user.id}/teachers/${w.school.otherTeacher.user.id}` }),
    b: () => ({ url: `/v1/admin/users/${w.bStudent.user.id}/teachers/${w.bTeacher.user.id}` }),
    audit: 'observer.unlink',
  },
  'POST /v1/admin/users/{userId}/password-reset': {
    a: () => ({ url: `/v1/admin/users/${w.school.otherStudent.user.id}/password-reset` }),
    b: () => ({ url: `/v1/admin/users/${w.bStudent.user.id}/password-reset` }),
    audit: 'user.password-reset-link',
  },
  'GET /v1/classes': { a: () => ({ url: '/v1/classes' }) },
  // An admin names the class's teacher; a teacher's class is their own.
  'POST /v1/classes': {
    a: (caller) => ({ url: '/v1/classes', payload: { name: 'Matrix class', ...(caller === 'admin' ? { teacherId: w.school.teacher.user.id } : {}) } }),
    audit: 'class.create',
  },
  // A teacher sees and changes their own classes only: another teacher's class answers as an unknown one.
  'GET /v1/classes/{classId}': { a: () => ({ url: `/v1/classes/${w.classA}` }), b: () => ({ url: `/v1/classes/${w.classB}` }), except: { otherTeacher: 404 } },
  'PATCH /v1/classes/{classId}': {
    except: { otherTeacher: 404 },
    a: async () => ({ url: `/v1/classes/${await newClass(w.school.tenant.id, w.school.teacher.user.id)}`, payload: { name: 'Renamed class' } }),
    b: () => ({ url: `/v1/classes/${w.classB}`, payload: { name: 'Renamed class' } }),
    audit: 'class.update',
  },
  'DELETE /v1/classes/{classId}': {
    except: { otherTeacher: 404 },
    a: async () => ({ url: `/v1/classes/${await newClass(w.school.tenant.id, w.school.teacher.user.id)}` }),
    b: () => ({ url: `/v1/classes/${w.classB}` }),
    audit: 'class.delete',
  },
  'PUT /v1/classes/{classId}/members/{userId}': {
    except: { otherTeacher: 404 },
    a: async () => ({ url: `/v1/classes/${await newClass(w.school.tenant.id, w.school.teacher.user.id)}/members/${w.school.otherStudent.user.id}` }),
    b: () => ({ url: `/v1/classes/${w.classB}/members/${w.bStudent.user.id}` }),
    audit: 'class.member.add',
  },
  'DELETE /v1/classes/{classId}/members/{userId}': {
    except: { otherTeacher: 404 },
    a: async () => ({
      url: `/v1/classes/${await newClass(w.school.tenant.id, w.school.teacher.user.id, w.school.otherStudent.user.id)}/members/${w.school.otherStudent.user.id}`,
    }),
    b: () => ({ url: `/v1/classes/${w.classB}/members/${w.bStudent.user.id}` }),
    audit: 'class.member.remove',
  },
  'GET /v1/admin/tenant': { a: () => ({ url: '/v1/admin/tenant' }) },
  'PATCH /v1/admin/tenant': {
    a: () => ({ url: '/v1/admin/tenant', payload: { name: `Institution A ${randomBytes(3).toString('hex')}` } }),
    audit: 'tenant.update',
  },
  'POST /v1/admin/api-keys': { a: () => ({ url: '/v1/admin/api-keys', payload: { name: 'matrix', scopes: ['sessions:read'] } }), audit: 'api-key.create' },
  'GET /v1/admin/api-keys': { a: () => ({ url: '/v1/admin/api-keys' }) },
  'GET /v1/admin/retention': { a: () => ({ url: '/v1/admin/retention' }) },
  // null days keep everything: the walk's own sessions are never purged by it.
  'PUT /v1/admin/retention': { a: () => ({ url: '/v1/admin/retention', payload: { rawDays: null, analysisDays: null } }), audit: 'retention.policy.set' },
  'GET /v1/admin/legal-holds': { a: () => ({ url: '/v1/admin/legal-holds' }) },
  'POST /v1/admin/legal-holds': {
    a: () => ({ url: '/v1/admin/legal-holds', payload: { subjectKind: 'session', subjectId: sid(), reason: 'matrix hold' } }),
    b: () => ({ url: '/v1/admin/legal-holds', payload: { subjectKind: 'session', subjectId: w.bSession.id, reason: 'matrix hold' } }),
    audit: 'legal-hold.place',
  },
  'POST /v1/admin/legal-holds/{holdId}/lift': {
    a: async () => ({ url: `/v1/admin/legal-holds/${await newHold(w.school.admin, sid())}/lift` }),
    b: async () => ({ url: `/v1/admin/legal-holds/${await newHold(w.school.stranger, w.bSession.id)}/lift` }),
    audit: 'legal-hold.lift',
  },
  'DELETE /v1/admin/api-keys/{keyId}': {
    a: async () => ({ url: `/v1/admin/api-keys/${(await newKey(w.school.admin, ['sessions:read'])).id}` }),
    b: () => ({ url: `/v1/admin/api-keys/${w.keyIdB}` }),
    audit: 'api-key.revoke',
  },
  'POST /v1/admin/webhooks': {
    a: () => ({ url: '/v1/admin/webhooks', payload: { url: 'https://hooks.example.invalid/matrix', events: ['attempt.graded'] } }),
    audit: 'webhook-endpoint.create',
  },
  'GET /v1/admin/webhooks': { a: () => ({ url: '/v1/admin/webhooks' }) },
  'GET /v1/admin/webhooks/{endpointId}': { a: () => ({ url: `/v1/admin/webhooks/${w.hookA}` }), b: () => ({ url: `/v1/admin/webhooks/${w.hookB}` }) },
  'PATCH /v1/admin/webhooks/{endpointId}': {
    a: () => ({ url: `/v1/admin/webhooks/${w.hookA}`, payload: { description: `Matrix ${randomBytes(3).toString('hex')}` } }),
    b: () => ({ url: `/v1/admin/webhooks/${w.hookB}`, payload: { description: 'Matrix' } }),
    audit: 'webhook-endpoint.update',
  },
  'DELETE /v1/admin/webhooks/{endpointId}': {
    a: async () => ({ url: `/v1/admin/webhooks/${(await newHook(w.school.admin)).id}` }),
    b: () => ({ url: `/v1/admin/webhooks/${w.hookB}` }),
    audit: 'webhook-endpoint.delete',
  },
  'POST /v1/admin/webhooks/{endpointId}/rotate-secret': {
    a: () => ({ url: `/v1/admin/webhooks/${w.hookA}/rotate-secret`, payload: { overlapSeconds: 60 } }),
    b: () => ({ url: `/v1/admin/webhooks/${w.hookB}/rotate-secret`, payload: {} }),
    audit: 'webhook-endpoint.rotate-secret',
  },
  'GET /v1/admin/webhooks/{endpointId}/deliveries': {
    a: () => ({ url: `/v1/admin/webhooks/${w.hookA}/deliveries` }),
    b: () => ({ url: `/v1/admin/webhooks/${w.hookB}/deliveries` }),
  },
  'POST /v1/admin/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver': {
    a: () => ({ url: `/v1/admin/webhooks/${w.hookA}/deliveries/${w.deliveryA}/redeliver` }),
    b: () => ({ url: `/v1/admin/webhooks/${w.hookB}/deliveries/${w.deliveryB}/redeliver` }),
    audit: 'webhook-delivery.redeliver',
  },
  'GET /v1/admin/audit': { a: () => ({ url: '/v1/admin/audit' }) },
  // Privacy (ADR 0029). The requirement is never switched on here: the walk's sessions record without consent.
  'GET /v1/admin/consent': { a: () => ({ url: '/v1/admin/consent' }) },
  'PUT /v1/admin/consent': { a: () => ({ url: '/v1/admin/consent', payload: { required: false } }), audit: 'consent.require' },
  'POST /v1/admin/consent/texts': {
    a: () => ({ url: '/v1/admin/consent/texts', payload: { title: 'Matrix consent', body: 'We record.' } }),
    audit: 'consent.text.publish',
  },
  'GET /v1/me/consent': { a: () => ({ url: '/v1/me/consent' }) },
  // A fresh version each time: agreeing again to one agreed records nothing.
  'POST /v1/me/consent': { a: async () => ({ url: '/v1/me/consent', payload: { version: await newConsentVersion() } }), audit: 'consent.agree' },
  // Withdrawing is audited when an agreement stood: the caller (a person of A) agrees to a fresh version first.
  'POST /v1/me/consent/withdraw': {
    a: async (caller) => {
      const person = caller && !caller.startsWith('key') ? w.school[caller as Exclude<Caller, 'keyFull' | 'keyWriteOnly'>] : undefined;
      if (person) json(await inject('POST', '/v1/me/consent', as(person), { version: await newConsentVersion() }), 200, 'agreeing before withdrawing');
      return { url: '/v1/me/consent/withdraw' };
    },
    audit: 'consent.withdraw',
  },
  'POST /v1/admin/users/{userId}/subject-export': {
    a: () => ({ url: `/v1/admin/users/${w.school.student.user.id}/subject-export` }),
    b: () => ({ url: `/v1/admin/users/${w.bStudent.user.id}/subject-export` }),
    audit: 'subject-export.request',
  },
  'POST /v1/me/subject-export': { a: () => ({ url: '/v1/me/subject-export' }), audit: 'subject-export.request' },
  // An export is its requester's (A's admin) and its institution's admins': every other person gets an unknown one.
  'GET /v1/subject-exports/{exportId}': {
    a: () => ({ url: `/v1/subject-exports/${w.exportA.id}` }),
    b: () => ({ url: `/v1/subject-exports/${w.exportB.id}` }),
    except: { teacher: 404, otherTeacher: 404, observer: 404, student: 404, otherStudent: 404 },
  },
  'GET /v1/subject-exports/{exportId}/archive': {
    a: async () => ({ url: `/v1/subject-exports/${(await built(w.exportA)).id}/archive?token=${w.exportA.token}` }),
    b: async () => ({ url: `/v1/subject-exports/${(await built(w.exportB)).id}/archive?token=${w.exportB.token}` }),
    except: { teacher: 404, otherTeacher: 404, observer: 404, student: 404, otherStudent: 404 },
    audit: 'subject-export.download',
  },
  'POST /v1/admin/invitations': {
    a: () => ({ url: '/v1/admin/invitations', payload: { email: `m-${randomBytes(5).toString('hex')}@matrix.test`, role: 'student' } }),
    audit: 'user.invite',
  },
  'GET /v1/admin/invitations': { a: () => ({ url: '/v1/admin/invitations' }) },
  'DELETE /v1/admin/invitations/{invitationId}': {
    a: async () => ({ url: `/v1/admin/invitations/${await newInvitation(w.school.admin)}` }),
    b: () => ({ url: `/v1/admin/invitations/${w.invitationB}` }),
    audit: 'invitation.revoke',
  },
  'GET /v1/admin/sso': { a: () => ({ url: '/v1/admin/sso' }) },
  'PUT /v1/admin/sso': {
    // Saving checks the issuer's discovery document: none answers at this address, so a let-through save is refused as 502/400, never 401/403.
    a: () => ({ url: '/v1/admin/sso', payload: { issuer: 'http://127.0.0.1:9/matrix', clientId: 'matrix', clientSecret: 'matrix-secret-0123456789' } }),
    ok: [200, 400, 502],
  },
  'DELETE /v1/admin/sso': { a: () => ({ url: '/v1/admin/sso' }) },
  'GET /v1/me': { a: () => ({ url: '/v1/me' }) },
  'PATCH /v1/me': { a: () => ({ url: '/v1/me', payload: { displayName: 'Matrix me' } }), audit: 'user.update-self' },
  // Sign-in routes are open to anyone and judge the credential in their body or path.
  'POST /v1/auth/login': { a: () => ({ url: '/v1/auth/login', payload: { email: w.signer.user.email, password: PASSWORD } }), audit: 'auth.sign-in' },
  'POST /v1/auth/refresh': { a: async () => ({ url: '/v1/auth/refresh', payload: { refreshToken: await freshRefresh() } }) },
  'POST /v1/auth/logout': { a: async () => ({ url: '/v1/auth/logout', payload: { refreshToken: await freshRefresh() } }), audit: 'auth.sign-out' },
  'GET /v1/auth/links/{token}': { a: async () => ({ url: `/v1/auth/links/${await freshLinkToken()}` }) },
  'POST /v1/auth/links/{token}': { a: async () => ({ url: `/v1/auth/links/${await freshLinkToken()}`, payload: { password: 'a matrix passphrase' } }) },
  // Institution A has no SSO: these answer 404 (or 400 without state) to everyone, the same for every credential.
  'GET /v1/auth/sso/{tenant}': { a: () => ({ url: `/v1/auth/sso/${w.school.tenant.slug}` }) },
  'GET /v1/auth/sso/{tenant}/start': { a: () => ({ url: `/v1/auth/sso/${w.school.tenant.slug}/start` }) },
  'GET /v1/auth/sso/callback': { a: () => ({ url: '/v1/auth/sso/callback' }) },
  // LTI 1.3 (issue 17): an admin's registrations (fresh ones where the route changes or removes one); the LMS-facing routes are open to
  // anyone and judge what they are sent: a login initiation of A's registration redirects every caller alike; a launch with no live login is 400.
  'GET /v1/admin/lti': { a: () => ({ url: '/v1/admin/lti' }) },
  'POST /v1/admin/lti/registrations': { a: () => ({ url: '/v1/admin/lti/registrations', payload: ltiBody() }), ok: [201], audit: 'lti-registration.create' },
  'GET /v1/admin/lti/registrations/{registrationId}': {
    a: async () => ({ url: `/v1/admin/lti/registrations/${await ltiRegistration('a')}` }),
    b: async () => ({ url: `/v1/admin/lti/registrations/${await ltiRegistration('b')}` }),
  },
  'PUT /v1/admin/lti/registrations/{registrationId}': {
    a: async () => ({ url: `/v1/admin/lti/registrations/${await ltiRegistration('a')}`, payload: { ...ltiBody(), clientId: 'matrix-a' } }),
    b: async () => ({ url: `/v1/admin/lti/registrations/${await ltiRegistration('b')}`, payload: { ...ltiBody(), clientId: 'matrix-b' } }),
    audit: 'lti-registration.update',
  },
  'DELETE /v1/admin/lti/registrations/{registrationId}': {
    a: async () => ({ url: `/v1/admin/lti/registrations/${await ltiVictim()}` }),
    b: async () => ({ url: `/v1/admin/lti/registrations/${await ltiRegistration('b')}` }),
    audit: 'lti-registration.delete',
  },
  'GET /v1/lti/jwks': { a: () => ({ url: '/v1/lti/jwks' }) },
  'GET /v1/lti/{registrationId}/login': {
    a: async () => ({ url: `/v1/lti/${await ltiRegistration('a')}/login?${new URLSearchParams(ltiLogin())}` }),
    ok: [302],
  },
  'POST /v1/lti/{registrationId}/login': { a: async () => ({ url: `/v1/lti/${await ltiRegistration('a')}/login`, payload: ltiLogin() }), ok: [302] },
  'POST /v1/lti/launch': { a: () => ({ url: '/v1/lti/launch', payload: { id_token: 'not.a.token', state: 'no-such-state' } }), ok: [400] },
  // Deep linking: the picker's request for the person whose launch made it (anyone else of any institution: not found); its answer
  // is open to anyone holding the token (the capability), each cell on a fresh request of A's teacher, cancelled (nothing placed).
  'GET /v1/lti/deep-links/{deepLinkToken}': {
    a: async (caller) => ({ url: `/v1/lti/deep-links/${await newDeepLink(personOf(caller))}` }),
    b: async () => ({ url: `/v1/lti/deep-links/${await newDeepLink(w.school.stranger)}` }),
  },
  'POST /v1/lti/deep-links/{deepLinkToken}/response': {
    a: async () => ({ url: `/v1/lti/deep-links/${await newDeepLink(w.school.teacher)}/response`, payload: { action: 'cancel' } }),
    ok: [200],
  },
  // A class's roster from its LMS course (NRPS): its teacher or an admin; another teacher's class answers as an unknown one.
  'POST /v1/classes/{classId}/lti-roster-sync': {
    a: async () => ({ url: `/v1/classes/${await ltiCourse()}/lti-roster-sync` }),
    b: () => ({ url: `/v1/classes/${w.classB}/lti-roster-sync` }),
    ok: [202],
    except: { otherTeacher: 404 },
    audit: 'lti.roster-sync.request',
  },
  // Review: the queue by role; a session's flags for its reviewers and observers; decisions on a fresh flag of S1's session each time
  // (one decided is settled); answers by the student a flag is about (no admin answers, so no mirror row on B's ids: B's people on
  // A's ids stand for it). A teacher of another class or another student: an unknown flag.
  'GET /v1/review/flags': { a: () => ({ url: '/v1/review/flags' }) },
  'GET /v1/sessions/{id}/flags': {
    a: () => ({ url: `/v1/sessions/${sid()}/flags` }),
    b: () => ({ url: `/v1/sessions/${w.bSession.id}/flags` }),
    audit: 'session.flags.read',
  },
  'POST /v1/flags/{flagId}/decisions': {
    a: async () => ({ url: `/v1/flags/${await freshFlag(sid(), w.school.tenant.id)}/decisions`, payload: { decision: 'dismiss' } }),
    b: async () => ({ url: `/v1/flags/${await freshFlag(w.bSession.id, w.school.otherTenant.id)}/decisions`, payload: { decision: 'dismiss' } }),
    except: { otherTeacher: 404 },
    audit: 'flag.decide',
  },
  'POST /v1/flags/{flagId}/answers': {
    a: async () => ({ url: `/v1/flags/${await freshFlag(sid(), w.school.tenant.id)}/answers`, payload: { kind: 'explanation', text: 'I typed it myself.' } }),
    except: { otherStudent: 404 },
    audit: 'flag.answer',
  },
  'GET /v1/me/flags': { a: () => ({ url: '/v1/me/flags' }) },
  // Hidden: the recorder's socket; as plain HTTP (no upgrade) its hook guards it, and a let-through writer gets 404.
  'GET /v1/sessions/{id}/ingest': { a: async () => ({ url: `/v1/sessions/${(await freshOwned()).id}/ingest` }) },
  // Exams and attempts (modules/exams): a teacher reaches the exams they own or co-teach, a student those of their
  // classes and their own attempts; any other answers as an unknown id (404), decided after the access hook.
  'GET /v1/exams': { a: () => ({ url: '/v1/exams' }) },
  'POST /v1/exams': { a: () => ({ url: '/v1/exams', payload: examBody([]) }), audit: 'exam.create' },
  'GET /v1/exams/{examId}': {
    a: () => ({ url: `/v1/exams/${w.examA}` }),
    b: () => ({ url: `/v1/exams/${w.examB}` }),
    except: { otherTeacher: 404, otherStudent: 404 },
  },
  'PATCH /v1/exams/{examId}': {
    a: () => ({ url: `/v1/exams/${w.examA}`, payload: { title: `Renamed ${randomBytes(3).toString('hex')}` } }),
    b: () => ({ url: `/v1/exams/${w.examB}`, payload: { title: 'Renamed' } }),
    except: { otherTeacher: 404 },
    audit: 'exam.update',
  },
  'DELETE /v1/exams/{examId}': {
    a: async () => ({ url: `/v1/exams/${await newExam()}` }),
    b: () => ({ url: `/v1/exams/${w.examB}` }),
    except: { otherTeacher: 404 },
    audit: 'exam.archive',
  },
  'PUT /v1/exams/{examId}/co-teachers/{userId}': {
    a: async () => ({ url: `/v1/exams/${await newExam()}/co-teachers/${w.school.otherTeacher.user.id}` }),
    b: () => ({ url: `/v1/exams/${w.examB}/co-teachers/${w.bTeacher.user.id}` }),
    except: { otherTeacher: 404 },
    audit: 'exam.co-teacher.add',
  },
  'DELETE /v1/exams/{examId}/co-teachers/{userId}': {
    a: async () => ({ url: `/v1/exams/${await newExam(true)}/co-teachers/${w.school.otherTeacher.user.id}` }),
    b: () => ({ url: `/v1/exams/${w.examB}/co-teachers/${w.bTeacher.user.id}` }),
    // A co-teacher does not withdraw grants (the owner or an admin does).
    except: { otherTeacher: 404 },
    audit: 'exam.co-teacher.remove',
  },
  'POST /v1/exams/{examId}/attempts': {
    a: async () => ({ url: `/v1/exams/${await newExam()}/attempts` }),
    except: { otherStudent: 404 },
    audit: 'attempt.start',
    auditAs: 'student',
  },
  'GET /v1/exams/{examId}/attempts': {
    a: () => ({ url: `/v1/exams/${w.examA}/attempts` }),
    b: () => ({ url: `/v1/exams/${w.examB}/attempts` }),
    except: { otherTeacher: 404, otherStudent: 404 },
  },
  'GET /v1/attempts/{attemptId}': { a: () => ({ url: `/v1/attempts/${w.attemptA}` }), except: { otherTeacher: 404, otherStudent: 404 } },
  'POST /v1/attempts/{attemptId}/submit': {
    a: async () => ({ url: `/v1/attempts/${await newAttempt()}/submit` }),
    except: { otherStudent: 404 },
    audit: 'attempt.submit',
    auditAs: 'student',
  },
  'POST /v1/attempts/{attemptId}/abandon': {
    a: async () => ({ url: `/v1/attempts/${await newAttempt()}/abandon` }),
    except: { otherStudent: 404 },
    audit: 'attempt.abandon',
    auditAs: 'student',
  },
  'PUT /v1/attempts/{attemptId}/score': {
    a: async () => ({ url: `/v1/attempts/${await newAttempt(true)}/score`, payload: { score: 5 } }),
    except: { otherTeacher: 404 },
    audit: 'attempt.grade',
    auditAs: 'teacher',
  },
  // Only a key with analyses:write posts one: none of the matrix's callers has it, so every cell is the table's refusal.
  'POST /v1/attempts/{attemptId}/external-analyses': {
    a: () => ({ url: `/v1/attempts/${w.attemptA}/external-analyses`, payload: { source: 'Matrix', result: {} } }),
  },
  // Dashboards (modules/dashboards): one's own page by role; an exam's analytics, its CSV and an attempt's monitoring for the
  // exam's teachers and admins: another teacher's exam answers as an unknown one (404), decided after the access hook.
  'GET /v1/students/me/dashboard': { a: () => ({ url: '/v1/students/me/dashboard' }) },
  'GET /v1/teachers/me/dashboard': { a: () => ({ url: '/v1/teachers/me/dashboard' }) },
  'GET /v1/exams/{examId}/analytics': {
    a: () => ({ url: `/v1/exams/${w.examA}/analytics` }),
    b: () => ({ url: `/v1/exams/${w.examB}/analytics` }),
    except: { otherTeacher: 404 },
    audit: 'exam.analytics.read',
  },
  'GET /v1/exams/{examId}/results.csv': {
    a: () => ({ url: `/v1/exams/${w.examA}/results.csv` }),
    b: () => ({ url: `/v1/exams/${w.examB}/results.csv` }),
    except: { otherTeacher: 404 },
    audit: 'exam.results.export',
  },
  'GET /v1/attempts/{attemptId}/monitoring': {
    a: () => ({ url: `/v1/attempts/${w.attemptA}/monitoring` }),
    b: () => ({ url: `/v1/attempts/${w.attemptB}/monitoring` }),
    except: { otherTeacher: 404 },
    audit: 'attempt.monitoring.read',
  },
  // A student's detail: S1's teacher, the observer attached to them, admins; the other teacher (not S1's) gets an unknown student.
  'GET /v1/students/{studentId}': {
    a: () => ({ url: `/v1/students/${w.school.student.user.id}` }),
    b: () => ({ url: `/v1/students/${w.bStudent.user.id}` }),
    except: { otherTeacher: 404 },
    audit: 'student.detail.read',
  },
  // An exam live (modules/live, ADR 0019): its teachers, admins and observers of its teachers (the matrix's observer is
  // attached to examA's teacher); another teacher's exam answers as an unknown one (404), decided after the access hook.
  'POST /v1/exams/{examId}/live-tickets': {
    a: () => ({ url: `/v1/exams/${w.examA}/live-tickets`, payload: { purpose: 'alerts' } }),
    b: () => ({ url: `/v1/exams/${w.examB}/live-tickets`, payload: { purpose: 'alerts' } }),
    except: { otherTeacher: 404 },
  },
  // A stream: read until its headers (see `inject`), then dropped.
  'GET /v1/exams/{examId}/live': {
    a: () => ({ url: `/v1/exams/${w.examA}/live` }),
    b: () => ({ url: `/v1/exams/${w.examB}/live` }),
    except: { otherTeacher: 404 },
    audit: 'exam.live.watch',
  },
  // Asked without an upgrade, a socket route answers 404 to whoever passes its checks (exam-live.test.ts opens it).
  'GET /v1/exams/{examId}/alerts/socket': {
    a: () => ({ url: `/v1/exams/${w.examA}/alerts/socket` }),
    b: () => ({ url: `/v1/exams/${w.examB}/alerts/socket` }),
    ok: [404],
  },
};

/** A flag to review on a session, as the review module stores one (its kind unique, so each is a fresh, open flag). */
async function freshFlag(sessionId: string, tenantId: string): Promise<string> {
  const id = `rv_${randomBytes(12).toString('base64url')}`;
  const now = new Date();
  await t.app.services.database.db
    .insertInto('review_flags')
    .values({
      id,
      tenant_id: tenantId,
      session_id: sessionId,
      kind: `matrix-${randomBytes(4).toString('hex')}`,
      severity: 'medium',
      severity_rank: 2,
      message: 'A matrix flag.',
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

function examBody(classIds: string[]) {
  const hour = 3_600_000;
  return {
    title: 'Matrix exam',
    kind: 'writing',
    maxScore: 10,
    passMark: 5,
    durationMinutes: 60,
    opensAt: new Date(Date.now() - hour).toISOString(),
    closesAt: new Date(Date.now() + 3 * hour).toISOString(),
    classIds,
  };
}
/** An open exam of A's teacher for classA, with the other teacher as co-teacher when `coTaught`. */
async function newExam(coTaught = false, by: Person = w.school.teacher, classId: string = w.classA): Promise<string> {
  const id = json<{ id: string }>(await inject('POST', '/v1/exams', as(by), examBody([classId])), 201, 'creating an exam').id;
  if (coTaught) json(await inject('PUT', `/v1/exams/${id}/co-teachers/${w.school.otherTeacher.user.id}`, as(by)), 204, 'granting co-teaching');
  return id;
}
/** S1's attempt at a new exam, in progress (or submitted when `submitted`). */
async function newAttempt(submitted = false): Promise<string> {
  const id = json<{ attempt: { id: string } }>(await inject('POST', `/v1/exams/${await newExam()}/attempts`, as(w.school.student)), 201, 'starting').attempt.id;
  if (submitted) json(await inject('POST', `/v1/attempts/${id}/submit`, as(w.school.student)), 200, 'submitting');
  return id;
}

/** An observer of A, attached to the other teacher when `linked`. */
async function freshObserver(linked: boolean): Promise<Person> {
  const observer = await buildPerson(t.app, w.school.tenant, 'observer');
  if (linked) {
    await t.app.services.database.db
      .insertInto('observer_links')
      .values({ tenant_id: w.school.tenant.id, observer_id: observer.user.id, teacher_id: w.school.otherTeacher.user.id })
      .execute();
  }
  return observer;
}
async function freshRefresh(): Promise<string> {
  return (await t.app.services.auth.signIn(w.signer.user, 'password', { ip: null, requestId: null })).refreshToken;
}
async function freshLinkToken(): Promise<string> {
  const r = json<{ link: string }>(
    await inject('POST', '/v1/admin/invitations', as(w.school.admin), { email: `l-${randomBytes(5).toString('hex')}@matrix.test`, role: 'student' }),
    201,
    'inviting',
  );
  return r.link.split('/accept/')[1]!;
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  t = await createTestApp({ rateLimit: { anonymousPerMinute: 1_000_000, ingestPerMinute: 1_000_000 } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const school = await buildInstitution(t.app);
  const signer = await buildPerson(t.app, school.tenant, 'teacher', { password_hash: await argon2Hasher.hash(PASSWORD) });
  const bTeacher = await buildPerson(t.app, school.otherTenant, 'teacher');
  const bStudent = await buildPerson(t.app, school.otherTenant, 'student');
  const owned = await recordAs(t.app, school.student);
  const open = await recordAs(t.app, undefined);
  const bSession = await recordAs(t.app, bStudent);
  w = { school, signer, bTeacher, bStudent, owned, open, bSession } as World;
  w.classA = await newClass(school.tenant.id, school.teacher.user.id, school.student.user.id);
  w.classB = await newClass(school.otherTenant.id, bTeacher.user.id, bStudent.user.id);
  w.examA = await newExam();
  w.attemptA = await newAttempt();
  w.examB = await newExam(false, bTeacher, w.classB);
  w.attemptB = json<{ attempt: { id: string } }>(await inject('POST', `/v1/exams/${w.examB}/attempts`, as(bStudent)), 201, "starting B's attempt").attempt.id;
  const full = await newKey(school.admin, ['sessions:read', 'sessions:write', 'reports:read']);
  const writeOnly = await newKey(school.admin, ['sessions:write']);
  const revoked = await newKey(school.admin, ['sessions:read', 'sessions:write', 'reports:read']);
  json(await inject('DELETE', `/v1/admin/api-keys/${revoked.id}`, as(school.admin)), 204, 'revoking');
  w.keys = { full: full.key, writeOnly: writeOnly.key, revoked: revoked.key };
  w.keyIdB = (await newKey(school.stranger, ['sessions:read'])).id;
  w.invitationB = await newInvitation(school.stranger);
  w.linkA = await newShareLink(school.admin, owned.id);
  w.linkB = await newShareLink(school.stranger, bSession.id);
  w.forged = await forgeTokens(t.app, school.admin.user, school.admin.token);
  w.hookA = (await newHook(school.admin)).id;
  w.hookB = (await newHook(school.stranger)).id;
  w.exportA = await askExport(school.admin, school.student);
  w.exportB = await askExport(school.stranger, bStudent);
  // A message in each log, told through the service as a domain event's subscriber does.
  await t.app.services.webhooks.tell(tenantIdOf(school.tenant.id), 'attempt.graded', [{ subjectId: 'matrix-a', data: { attemptId: 'matrix-a' } }]);
  await t.app.services.webhooks.tell(tenantIdOf(school.otherTenant.id), 'attempt.graded', [{ subjectId: 'matrix-b', data: { attemptId: 'matrix-b' } }]);
  w.deliveryA = json<{ items: { id: string }[] }>(
    await inject('GET', `/v1/admin/webhooks/${w.hookA}/deliveries`, as(school.admin)),
    200,
    'the log',
  ).items[0]!.id;
  w.deliveryB = json<{ items: { id: string }[] }>(
    await inject('GET', `/v1/admin/webhooks/${w.hookB}/deliveries`, as(school.stranger)),
    200,
    'the log',
  ).items[0]!.id;
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** "METHOD /path" of an operation, in the OpenAPI document's spelling. */
const keyOf = (method: string, url: string) => `${method} ${url.replace(/:(\w+)/g, '{$1}')}`;

function declared(): Map<string, readonly Access[]> {
  const out = new Map<string, readonly Access[]>();
  for (const r of t.app.routeAccess) {
    if (!r.access || r.url.startsWith('/docs')) continue;
    for (const m of r.method.split(',')) if (m !== 'HEAD') out.set(keyOf(m, r.url), r.access);
  }
  return out;
}

describe('every route has its row', () => {
  it('has a row for every operation of the OpenAPI document and every hidden route, and no row for a route that is gone', () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const routes = [...declared().keys()];
    for (const op of new Set([...operations, ...routes])) expect(ROWS[op], `no row for ${op}: add it to the security matrix`).toBeDefined();
    for (const row of Object.keys(ROWS)) expect(routes, `the row ${row} names no route`).toContain(row);
  });
});

// ---------------------------------------------------------------------------------------------
// What each cell expects: decide() on the declared access, with the world's grants.
// ---------------------------------------------------------------------------------------------

const ROLE_OF: Record<Exclude<Caller, 'keyFull' | 'keyWriteOnly'>, Role> = {
  admin: 'admin',
  teacher: 'teacher',
  otherTeacher: 'teacher',
  observer: 'observer',
  student: 'student',
  otherStudent: 'student',
};
/** Who reads S1's session (grants): its owner, the admin, the teacher of its class, the observer of that teacher, and keys that read. */
const GRANTED: Record<Caller, boolean> = {
  admin: true,
  teacher: true,
  otherTeacher: false,
  observer: true,
  student: true,
  otherStudent: false,
  keyFull: true,
  keyWriteOnly: false,
};
const SCOPES: Record<'keyFull' | 'keyWriteOnly', ApiScope[]> = {
  keyFull: ['sessions:read', 'sessions:write', 'reports:read'],
  keyWriteOnly: ['sessions:write'],
};

function actorOf(caller: Caller): Actor {
  const sessionGrant = GRANTED[caller] ? 'read' : 'none';
  if (caller === 'keyFull' || caller === 'keyWriteOnly') return { kind: 'api-key', scopes: SCOPES[caller], sessionGrant } as unknown as Actor;
  return { kind: 'user', role: ROLE_OF[caller], sessionGrant } as unknown as Actor;
}

/** The status the access hook answers, or 0 when it lets the request through. */
function hookAnswer(access: readonly Access[], actor: Actor, sessionId: string | undefined): { status: number; code?: string } {
  for (const a of access) {
    const d = decide(actor, a, { ...(sessionId ? { sessionId } : {}), publicSessions: true });
    if (!d.allowed) return { status: PROBLEM_STATUS[d.code] ?? -1, code: d.code };
  }
  return { status: 0 };
}
const PROBLEM_STATUS: Record<string, number> = {
  'not-found': 404,
  forbidden: 403,
  'insufficient-scope': 403,
  unauthenticated: 401,
  'missing-token': 401,
  'invalid-token': 401,
  'token-expired': 401,
  'invalid-credential': 401,
};

const HEADERS: Record<Caller, () => Record<string, string>> = {
  admin: () => as(w.school.admin),
  teacher: () => as(w.school.teacher),
  otherTeacher: () => as(w.school.otherTeacher),
  observer: () => as(w.school.observer),
  student: () => as(w.school.student),
  otherStudent: () => as(w.school.otherStudent),
  keyFull: () => ({ authorization: `Bearer ${w.keys.full}` }),
  keyWriteOnly: () => ({ authorization: `Bearer ${w.keys.writeOnly}` }),
};
const FORGED: Record<string, [() => string, string]> = {
  expired: [() => w.forged.expired, 'token-expired'],
  'another key, real kid': [() => w.forged.otherKey, 'invalid-credential'],
  'alg none': [() => w.forged.algNone, 'invalid-credential'],
  'alg none, with a signature': [() => w.forged.algNoneSigned, 'invalid-credential'],
  'unknown kid': [() => w.forged.unknownKid, 'invalid-credential'],
  'HS256 keyed with the public key': [() => w.forged.hs256PublicKey, 'invalid-credential'],
  'revoked API key': [() => w.keys.revoked, 'invalid-credential'],
};

const problemType = (body: string) => {
  try {
    return (JSON.parse(body) as { type?: string }).type?.replace('urn:veritas:problem:', '');
  } catch {
    return undefined;
  }
};
const sessionOf = (url: string) => /^\/v1\/sessions\/([\w-]{22})(?:\/|$)/.exec(url)?.[1];

let requestN = 0;
const requestId = () => `matrix-${process.pid}-${requestN++}-${randomBytes(3).toString('hex')}`;

async function auditOf(rid: string) {
  return (await linkedAudit(t.app.services)).selectFrom('audit_log').selectAll().where('request_id', '=', rid).execute();
}

/** Replaces every id-looking segment of a path with a random one of the same shape: an unknown id. */
function unknownIdsOf(url: string, template: string): { url: string; ids: [string, string][] } {
  const parts = url.split('?')[0]!.split('/');
  const tmpl = template.split(' ')[1]!.split('/');
  const ids: [string, string][] = [];
  const shaped = (s: string) =>
    s.replace(/[0-9]/g, () => String(Math.floor(Math.random() * 10))).replace(/[a-f]/g, () => 'abcdef'[Math.floor(Math.random() * 6)]!);
  const out = parts.map((p, i) => {
    if (!tmpl[i]?.startsWith('{')) return p;
    const q = shaped(p);
    ids.push([p, q]);
    return q;
  });
  return { url: out.join('/'), ids };
}

const B_PEOPLE = (): [string, Person][] => [
  ["B's admin", w.school.stranger],
  ["B's teacher", w.bTeacher],
  ["B's student", w.bStudent],
];
const PUBLIC_READS = [
  'GET /v1/sessions/{id}',
  'GET /v1/sessions/{id}/events',
  'GET /v1/sessions/{id}/bundle',
  'GET /v1/sessions/{id}/replay',
  'GET /v1/sessions/{id}/live',
  'POST /v1/sessions/{id}/live-tickets',
  'GET /v1/sessions/{id}/analysis',
  'GET /v1/sessions/{id}/alerts',
  'GET /v1/sessions/{id}/report',
  'GET /v1/sessions/{id}/report.pdf',
  'GET /v1/sessions/{id}/export.idfx',
];

describe('the matrix', () => {
  it('answers every cell as the declared access and the grants say', async () => {
    const access = declared();
    const failures: string[] = [];
    const check = (cond: boolean, where: string, r: { statusCode: number; body: string }, want: string) => {
      if (!cond) failures.push(`${where}: want ${want}, got ${r.statusCode} ${r.body.slice(0, 200)}`);
    };
    let cells = 0;
    for (const [route, row] of Object.entries(ROWS)) {
      const [method] = route.split(' ') as [Method];
      const declaredAccess = access.get(route)!;
      const ok = row.ok ?? [200, 201, 202, 204];
      const anyone = declaredAccess.includes('anyone');
      // The anonymous answer: for `anyone` routes, what every credential below must get too.
      const base = await row.a();
      const none = await inject(method, base.url, {}, base.payload);
      cells++;
      const anonExpected = hookAnswer(declaredAccess, { kind: 'anonymous' }, sessionOf(base.url));
      if (!declaredAccess.includes('anyone')) {
        if (anonExpected.status === 0) check(ok.includes(none.statusCode), `${route} with no token`, none, `one of ${ok}`);
        else
          check(
            none.statusCode === anonExpected.status && problemType(none.body) === anonExpected.code,
            `${route} with no token`,
            none,
            `${anonExpected.status} ${anonExpected.code}`,
          );
      }
      check(none.statusCode < 500, `${route} with no token`, none, 'no 5xx');

      // Forged and dead credentials: refused as such, before anything; `anyone` routes answer them as no token.
      for (const [name, [token, code]] of Object.entries(FORGED)) {
        const req = await row.a();
        const r = await inject(method, req.url, { authorization: `Bearer ${token()}` }, req.payload);
        cells++;
        const where = `${route} with ${name}`;
        if (anyone) check(r.statusCode === none.statusCode, where, r, `the anonymous answer ${none.statusCode}`);
        else check(r.statusCode === 401 && problemType(r.body) === code, where, r, `401 ${code}`);
      }

      // Every role of A, and A's keys.
      for (const caller of Object.keys(HEADERS) as Caller[]) {
        const req = await row.a(caller);
        const rid = requestId();
        const r = await inject(method, req.url, { ...HEADERS[caller](), 'x-request-id': rid }, req.payload);
        cells++;
        const where = `${route} as ${caller}`;
        check(r.statusCode < 500, where, r, 'no 5xx');
        if (anyone) {
          check(!(r.statusCode === 401 || r.statusCode === 403) || r.statusCode === none.statusCode, where, r, 'not refused for its credential');
          continue;
        }
        const hook = hookAnswer(declaredAccess, actorOf(caller), sessionOf(req.url));
        const want = row.except?.[caller] ?? (hook.status === 0 ? undefined : hook.status);
        if (want === undefined) check(ok.includes(r.statusCode), where, r, `one of ${ok}`);
        else {
          check(r.statusCode === want, where, r, `${want} ${hook.code ?? ''}`);
          if (hook.code && row.except?.[caller] === undefined) check(problemType(r.body) === hook.code, where, r, `problem ${hook.code}`);
        }
        // A refused request records no success.
        if (r.statusCode >= 400) {
          const entries = (await auditOf(rid)).filter((e) => e.action !== 'deny');
          if (entries.length > 0) failures.push(`${where}: refused (${r.statusCode}) yet audited ${entries.map((e) => e.action).join(', ')}`);
        }
      }

      // Institution B's people on A's ids: exactly what an unknown id gets.
      for (const [who, person] of /\{/.test(route) ? B_PEOPLE() : []) {
        const req = await row.a();
        const unknown = unknownIdsOf(req.url, route);
        const rid = requestId();
        const onA = await inject(method, req.url, { ...as(person), 'x-request-id': rid }, req.payload);
        const onUnknown = await inject(method, unknown.url, as(person), req.payload);
        cells += 2;
        const where = `${route} as ${who} on A's ids`;
        if (!anyone) {
          check(onA.statusCode === 404 || onA.statusCode === 401 || onA.statusCode === 403, where, onA, 'a refusal');
          check(onA.statusCode === onUnknown.statusCode, where, onA, `the unknown id's ${onUnknown.statusCode}`);
          let detail = (JSON.parse(onA.body || '{}') as { detail?: string }).detail ?? '';
          for (const [real, fake] of unknown.ids) detail = detail.split(real).join(fake);
          check(
            detail === ((JSON.parse(onUnknown.body || '{}') as { detail?: string }).detail ?? ''),
            where,
            onA,
            `detail as for an unknown id: ${onUnknown.body}`,
          );
          if ((await auditOf(rid)).some((e) => e.action !== 'deny')) failures.push(`${where}: audited a success`);
        }
      }
      if (row.b && !anyone) {
        // And the mirror: A's admin on B's ids.
        const onB = await row.b();
        const r = await inject(method, onB.url, as(w.school.admin), onB.payload);
        cells++;
        check(r.statusCode === 404, `${route} as A's admin on B's ids`, r, '404');
      }
      // A public session's id is its read capability, whoever holds it: every person and key of A reads it.
      if (PUBLIC_READS.includes(route)) {
        for (const caller of Object.keys(HEADERS) as Caller[]) {
          const r = await inject(method, (await row.a()).url.replace(w.owned.id, w.open.id), HEADERS[caller]());
          cells++;
          check(ok.includes(r.statusCode), `${route} on the public session as ${caller}`, r, `one of ${ok}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(cells).toBeGreaterThan(800);
  }, 600_000);
});

describe('the audit', () => {
  it('records each sensitive read and write once, with the request id, action, actor and tenant', async () => {
    const failures: string[] = [];
    for (const [route, row] of Object.entries(ROWS)) {
      if (!row.audit) continue;
      const [method] = route.split(' ') as [Method];
      // The first caller the row lets through: the admin, or no credential on the sign-in routes.
      const signIn = route.startsWith('POST /v1/auth/');
      const person =
        route === 'PATCH /v1/me'
          ? w.school.teacher
          : route === 'POST /v1/flags/{flagId}/answers'
            ? w.school.student
            : row.auditAs
              ? w.school[row.auditAs]
              : w.school.admin;
      const req = await row.a(row.auditAs ?? 'admin');
      const rid = requestId();
      const r = await inject(method, req.url, { ...(signIn ? {} : as(person)), 'x-request-id': rid }, req.payload);
      if (r.statusCode >= 400) {
        failures.push(`${route}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        continue;
      }
      const entries = await auditOf(rid);
      const mine = entries.filter((e) => e.action === row.audit);
      if (mine.length !== 1) {
        failures.push(`${route}: want one ${row.audit}, got ${entries.map((e) => e.action).join(', ') || 'none'}`);
        continue;
      }
      const e = mine[0]!;
      const who = signIn ? w.signer : person;
      const want = { actor_kind: 'user', actor_id: who.user.id, auth_method: 'password', chain: w.school.tenant.id, tenant_id: w.school.tenant.id };
      const got = { actor_kind: e.actor_kind, actor_id: e.actor_id, auth_method: e.auth_method, chain: e.chain, tenant_id: e.tenant_id };
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${route}: ${JSON.stringify(got)} != ${JSON.stringify(want)}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
  }, 120_000);

  it("records a session's end by its writer: the write token, in the owner's institution", async () => {
    const s = await freshOwned();
    const rid = requestId();
    json(await inject('POST', `/v1/sessions/${s.id}/end`, { authorization: `Bearer ${s.writeToken}`, 'x-request-id': rid }), 200, 'ending');
    const entries = (await auditOf(rid)).filter((e) => e.action === 'session.end');
    expect(entries.map((e) => ({ kind: e.actor_kind, id: e.actor_id, chain: e.chain }))).toEqual([
      { kind: 'session-writer', id: s.id, chain: w.school.tenant.id },
    ]);
  });

  it('records a failed sign-in, and a reused refresh token revokes its family (401 refresh-reused), audited', async () => {
    const rid = requestId();
    const bad = await inject('POST', '/v1/auth/login', { 'x-request-id': rid }, { email: w.signer.user.email, password: 'not the passphrase' });
    expect(bad.statusCode).toBe(401);
    expect((await auditOf(rid)).map((e) => e.action)).toEqual(['auth.sign-in-failed']);

    const login = json<{ refreshToken: string }>(
      await inject('POST', '/v1/auth/login', {}, { email: w.signer.user.email, password: PASSWORD, tokenDelivery: 'body' }),
      200,
      'login',
    );
    const second = json<{ refreshToken: string }>(await inject('POST', '/v1/auth/refresh', {}, { refreshToken: login.refreshToken }), 200, 'refresh');
    expect(second.refreshToken).toBeDefined();
    const reuseId = requestId();
    const reused = await inject('POST', '/v1/auth/refresh', { 'x-request-id': reuseId }, { refreshToken: login.refreshToken });
    expect(reused.statusCode).toBe(401);
    expect(problemType(reused.body)).toBe('refresh-reused');
    // The whole family is revoked: the token the first refresh handed out no longer holds either.
    const after = await inject('POST', '/v1/auth/refresh', {}, { refreshToken: second.refreshToken });
    expect(after.statusCode).toBe(401);
    const entries = await auditOf(reuseId);
    // Whoever sent it is nobody we know (it may be a thief): the entry names the person whose sign-in it was.
    expect(entries.map((e) => ({ action: e.action, actor: e.actor_kind, resource: e.resource_id, chain: e.chain }))).toEqual([
      { action: 'auth.refresh-reused', actor: 'anonymous', resource: w.signer.user.id, chain: w.school.tenant.id },
    ]);
  });
});
