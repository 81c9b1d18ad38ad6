import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { openSocket } from '../src/testing/socket-client';
import { BUNDLE_FORMAT, INGEST_PROTOCOL, genesisHash, isStorableText, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { createTestApp, type TestApp } from '../src/testing/test-app';
import { TEST_DB } from '../src/testing/test-database';
import { buildPerson, buildTenant, type Person } from '../src/testing/people';
import type { TenantRow } from '../src/modules/people';
import { callbackUrlOf, useProvider } from '../src/modules/sso/testing/sso-flow';
import { startTestProvider, type TestProvider } from '../src/modules/sso/testing/test-provider';

/**
 * Issue 8, point 2: input the schema accepts but the database refuses must be refused at the
 * door. This walks every operation of the OpenAPI document and the WebSocket ingest with input
 * PostgreSQL cannot store or the server cannot process (U+0000, a lone surrogate, custom data
 * nested 10,000 deep, integers past int4, a year-0 date, malformed JSON, wrong types) and
 * asserts: never a 5xx, and every refusal is a problem+json.
 */

interface Operation {
  method: string;
  path: string;
  parameters?: { in: string; name: string; schema?: { type?: string } }[];
  requestBody?: unknown;
}

let t: TestApp;
let wsBase: string;
let session: { id: string; writeToken: string };
let operations: Operation[];
/** A person, for the routes of people (their own profile, administration, share links on the admin's institution's session). */
let admin: Person;
/** A student of the admin's institution, for the routes only students pass (their flags, answering one). */
let student: Person;
/** Who passes the access of the exam routes that are not an admin's: a teacher grades, a partner's key posts analyses. */
let grader: Person;
let analysesKey: string;
let tenantSessionId: string;
/** An institution signing in with a real OpenID Connect provider, for the SSO routes' {tenant}. */
let ssoTenant: TenantRow;
let provider: TestProvider;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  wsBase = `ws://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const doc = t.app.swagger() as { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>> };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, ...op })));
  const tenant = await buildTenant(t.app);
  admin = await buildPerson(t.app, tenant, 'admin');
  student = await buildPerson(t.app, tenant, 'student');
  grader = await buildPerson(t.app, tenant, 'teacher');
  analysesKey = (
    await t.app.inject({ method: 'POST', url: '/v1/admin/api-keys', headers: admin.headers, payload: { name: 'hostile', scopes: ['analyses:write'] } })
  ).json().key;
  tenantSessionId = (await t.app.inject({ method: 'POST', url: '/v1/sessions', headers: admin.headers, payload: { kind: 'writing' } })).json().id;
  const client = { clientId: 'hostile-walk', clientSecret: 'hostile-walk-client-secret-0123' };
  provider = await startTestProvider({ clients: [{ ...client, redirectUris: [callbackUrlOf(wsBase.replace('ws:', 'http:'))] }] });
  ssoTenant = await buildTenant(t.app);
  await useProvider(t.app, ssoTenant, provider, client);
});
afterAll(async () => {
  await provider?.close();
  await t?.close();
});
// Each test writes to a session of its own (the walk ends the one it uses).
beforeEach(async () => {
  session = (await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } })).json();
});

const NUL = 'a\u0000b';
const LONE = 'a\ud800b';

/** JSON text nested `depth` levels deep (JSON.stringify itself would overflow the stack on it). */
function deepJson(depth: number): string {
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    open.push(i % 2 ? '[' : '{"k":');
    close.push(i % 2 ? ']' : '}');
  }
  return `${open.join('')}"bottom"${close.reverse().join('')}`;
}
/** Stands for the deep value inside a value, replaced in its JSON text by deep(). */
const DEEP_MARK = 'deep-value-marker';
const deep = (json: string) => json.replace(`"${DEEP_MARK}"`, deepJson(10_000));

/** Events PostgreSQL cannot store, each valid by shape. */
const hostileEvents: [string, (seq: number) => VeritasEvent][] = [
  ['text.op ins with U+0000', (seq) => ({ seq, t: seq, type: 'text.op', data: { pos: 0, del: 0, ins: NUL, cause: 'type' } })],
  ['text.op ins with a lone surrogate', (seq) => ({ seq, t: seq, type: 'text.op', data: { pos: 0, del: 0, ins: LONE, cause: 'type' } })],
  ['mark label with U+0000', (seq) => ({ seq, t: seq, type: 'mark', data: { label: NUL } })],
  ['mark label with a lone surrogate', (seq) => ({ seq, t: seq, type: 'mark', data: { label: '\ud800' } })],
  ['snapshot text with U+0000', (seq) => ({ seq, t: seq, type: 'snapshot', data: { text: NUL } })],
  ['consent policy with a lone surrogate', (seq) => ({ seq, t: seq, type: 'consent', data: { policy: '\udfff', accepted: true } })],
  ['violation detail with U+0000', (seq) => ({ seq, t: seq, type: 'violation', data: { kind: 'no_face', confidence: 1, detail: NUL } })],
  ['metrics key with U+0000', (seq) => ({ seq, t: seq, type: 'metrics', data: { values: { [NUL]: 1 } } })],
  ['custom name with U+0000', (seq) => ({ seq, t: seq, type: 'custom', data: { name: NUL, data: null } })],
  ['custom data key with U+0000', (seq) => ({ seq, t: seq, type: 'custom', data: { name: 'x', data: { [NUL]: 1 } } })],
  ['custom data key with a lone surrogate', (seq) => ({ seq, t: seq, type: 'custom', data: { name: 'x', data: { a: { '\ud800': 1 } } } })],
  ['custom data value with U+0000', (seq) => ({ seq, t: seq, type: 'custom', data: { name: 'x', data: [1, [NUL]] } })],
  ['custom data value with a lone surrogate', (seq) => ({ seq, t: seq, type: 'custom', data: { name: 'x', data: { a: LONE } } })],
];
const DEEP = (seq: number): VeritasEvent => ({ seq, t: seq, type: 'custom', data: { name: 'deep', data: DEEP_MARK } });

/** A batch carrying `event` at `firstSeq`, sealed so it passes the hash and MAC (or, for a value too deep to hash, with a made-up hash). */
async function hostileBatch(event: (seq: number) => VeritasEvent, firstSeq: number, sealed = true) {
  const prevHash = firstSeq === 0 ? await genesisHash(session.id) : randomBytes(32).toString('hex');
  const events = [event(firstSeq)];
  if (!sealed) return { firstSeq, events, prevHash, hash: randomBytes(32).toString('hex') };
  return sealBatch(events, prevHash, await macKeyFromToken(session.writeToken));
}

function expectProblem(r: { statusCode: number; headers: Record<string, unknown>; body: string }, what: string, status?: number) {
  expect(r.statusCode, `${what}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
  if (status !== undefined) expect(r.statusCode, `${what}: ${r.body.slice(0, 300)}`).toBe(status);
  if (r.statusCode >= 400) {
    expect(String(r.headers['content-type']), what).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(r.body), what).toMatchObject({ type: expect.stringMatching(/^urn:veritas:problem:/), status: r.statusCode });
  }
}

function newId() {
  return randomBytes(16).toString('base64url');
}

async function bundleWith(events: VeritasEvent[], session: Record<string, unknown> = {}, sealed = true) {
  const id = newId();
  const prevHash = await genesisHash(id);
  const batch = sealed ? await sealBatch(events, prevHash) : { firstSeq: 0, events, prevHash, hash: randomBytes(32).toString('hex') };
  return { format: BUNDLE_FORMAT, session: { id, kind: 'writing', createdAt: '2026-01-01T00:00:00Z', ...session }, batches: [batch] };
}

/** Bodies the database would refuse, per operation that takes one: [what, JSON body, expected status]. */
const hostileBodies: Record<string, () => Promise<[string, string, number][]>> = {
  'POST /v1/sessions': async () => [
    ['meta.title with U+0000', JSON.stringify({ kind: 'writing', meta: { title: NUL } }), 400],
    ['meta.prompt with a lone surrogate', JSON.stringify({ kind: 'writing', meta: { prompt: LONE } }), 400],
    ['meta.initialText with U+0000', JSON.stringify({ kind: 'writing', meta: { initialText: NUL } }), 400],
    ['meta.labels key with U+0000', JSON.stringify({ kind: 'writing', meta: { labels: { [NUL]: 'x' } } }), 400],
    ['meta.labels value with a lone surrogate', JSON.stringify({ kind: 'writing', meta: { labels: { course: '\ud800' } } }), 400],
    ['analysis.thresholds key with U+0000', JSON.stringify({ kind: 'writing', analysis: { thresholds: { [NUL]: 1 } } }), 400],
    ['meta nested 10,000 deep', deep(JSON.stringify({ kind: 'writing', meta: { labels: DEEP_MARK } })), 400],
    // docs/adr/0024-server-sealed-sessions.md
    ['sealing not client or server', JSON.stringify({ kind: 'sensor', sealing: 'nobody' }), 400],
    ['sealing with U+0000', JSON.stringify({ kind: 'sensor', sealing: `server${NUL}` }), 400],
    ['sealing of the wrong type', JSON.stringify({ kind: 'sensor', sealing: true }), 400],
  ],
  'POST /v1/sessions/{id}/events': async () => [
    ...(await Promise.all(
      hostileEvents.map(async ([what, e]) => [`${what} (next batch)`, JSON.stringify(await hostileBatch(e, 0)), 400] as [string, string, number]),
    )),
    ...(await Promise.all(
      hostileEvents.map(async ([what, e]) => [`${what} (held batch)`, JSON.stringify(await hostileBatch(e, 7)), 400] as [string, string, number]),
    )),
    ['custom data nested 10,000 deep', deep(JSON.stringify(await hostileBatch(DEEP, 0, false))), 400],
    ['custom data nested 10,000 deep (held)', deep(JSON.stringify(await hostileBatch(DEEP, 7, false))), 400],
    ['firstSeq past int4', JSON.stringify({ ...(await hostileBatch(hostileEvents[0]![1], 0)), firstSeq: 2147483648 }), 400],
    // docs/adr/0024: the session here is client-sealed, so an unsealed batch is refused without its MAC, a half-sealed one as malformed.
    ['an unsealed batch on a client-sealed session', JSON.stringify({ firstSeq: 0, events: [{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }] }), 401],
    [
      'a hash without its prevHash',
      JSON.stringify({ firstSeq: 0, events: [{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }], hash: '0'.repeat(64), mac: '0'.repeat(64) }),
      400,
    ],
  ],
  'POST /v1/sessions/{id}/share-links': async () => [
    ['expiresInDays past int4', JSON.stringify({ expiresInDays: 2147483648 }), 400],
    ['expiresInDays with U+0000', JSON.stringify({ expiresInDays: NUL }), 400],
    ['an unknown field with a lone surrogate', JSON.stringify({ [LONE]: 1 }), 400],
  ],
  'POST /v1/sessions/{id}/certificate/revoke': async () => [
    ['reason with U+0000', JSON.stringify({ reason: NUL }), 400],
    ['reason with a lone surrogate', JSON.stringify({ reason: LONE }), 400],
    ['reason past its limit', JSON.stringify({ reason: 'x'.repeat(501) }), 400],
  ],
  'POST /v1/auth/login': async () => [
    ['email with U+0000', JSON.stringify({ email: NUL, password: 'x' }), 400],
    ['password with a lone surrogate', JSON.stringify({ email: 'a@b.test', password: LONE }), 400],
    ['email past its limit', JSON.stringify({ email: `${'a'.repeat(300)}@b.test`, password: 'x' }), 400],
  ],
  'POST /v1/auth/refresh': async () => [['refreshToken with U+0000', JSON.stringify({ refreshToken: NUL.repeat(20) }), 400]],
  'POST /v1/auth/logout': async () => [['refreshToken with a lone surrogate', JSON.stringify({ refreshToken: LONE.repeat(20) }), 400]],
  'PATCH /v1/me': async () => [
    ['displayName with U+0000', JSON.stringify({ displayName: NUL }), 400],
    ['newPassword with a lone surrogate', JSON.stringify({ newPassword: LONE.repeat(10), currentPassword: 'x' }), 400],
  ],
  'POST /v1/admin/invitations': async () => [
    ['email with U+0000', JSON.stringify({ email: `a${NUL}@b.test`, role: 'student' }), 400],
    ['displayName with a lone surrogate', JSON.stringify({ email: 'a@b.test', role: 'student', displayName: LONE }), 400],
  ],
  'POST /v1/auth/links/{token}': async () => [['password with U+0000', JSON.stringify({ password: NUL.repeat(10) }), 400]],
  'POST /v1/admin/lti/registrations': async () => LTI_HOSTILE,
  'PUT /v1/admin/lti/registrations/{registrationId}': async () => LTI_HOSTILE,
  'POST /v1/lti/{registrationId}/login': async () => [
    ['iss with U+0000', JSON.stringify({ iss: `https://lms.test/${NUL}`, login_hint: 'x', target_link_uri: 'https://v.test' }), 400],
    ['login_hint with a lone surrogate', JSON.stringify({ iss: 'https://lms.test', login_hint: LONE, target_link_uri: 'https://v.test' }), 400],
    [
      'lti_message_hint past its limit',
      JSON.stringify({ iss: 'https://lms.test', login_hint: 'x', target_link_uri: 'https://v.test', lti_message_hint: 'x'.repeat(5000) }),
      400,
    ],
  ],
  'POST /v1/lti/launch': async () => [
    ['state with U+0000', JSON.stringify({ id_token: 'a.b.c', state: NUL }), 400],
    ['id_token with a lone surrogate', JSON.stringify({ id_token: LONE, state: 'x' }), 400],
    ['id_token past its limit', JSON.stringify({ id_token: 'x'.repeat(70_000), state: 'x' }), 400],
  ],
  'POST /v1/lti/deep-links/{deepLinkToken}/response': async () => [
    ['examId with U+0000', JSON.stringify({ action: 'place', examId: NUL }), 400],
    ['action unknown', JSON.stringify({ action: 'publish' }), 400],
    ['examId past its limit', JSON.stringify({ action: 'place', examId: 'x'.repeat(65) }), 400],
  ],
  'PUT /v1/admin/sso': async () => [
    ['issuer with U+0000', JSON.stringify({ issuer: `https://idp.test/${NUL}`, clientId: 'x' }), 400],
    ['clientSecret with a lone surrogate', JSON.stringify({ issuer: 'https://idp.test', clientId: 'x', clientSecret: LONE }), 400],
    ['scopes with U+0000', JSON.stringify({ issuer: 'https://idp.test', clientId: 'x', scopes: `openid ${NUL}` }), 400],
    ['clientId past its limit', JSON.stringify({ issuer: 'https://idp.test', clientId: 'x'.repeat(300) }), 400],
  ],
  'POST /v1/bundles': async () => [
    [
      'createdAt in year 0',
      JSON.stringify(await bundleWith([{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }], { createdAt: '0000-01-01T00:00:00Z' })),
      400,
    ],
    ['endedAt in year 0', JSON.stringify(await bundleWith([{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }], { endedAt: '0000-01-01T00:00:00Z' })), 400],
    ['meta.title with U+0000', JSON.stringify(await bundleWith([{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }], { meta: { title: NUL } })), 400],
    [
      'meta.labels key with a lone surrogate',
      JSON.stringify(await bundleWith([{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }], { meta: { labels: { '\ud800': 'x' } } })),
      400,
    ],
    ...(await Promise.all(hostileEvents.map(async ([what, e]) => [what, JSON.stringify(await bundleWith([e(0)])), 400] as [string, string, number]))),
    ['custom data nested 10,000 deep', deep(JSON.stringify(await bundleWith([DEEP(0)], {}, false))), 400],
    [
      'firstSeq past int4',
      JSON.stringify({
        ...(await bundleWith([{ seq: 0, t: 0, type: 'mark', data: { label: 'x' } }])),
        batches: [{ firstSeq: 2147483648, events: [], prevHash: '0'.repeat(64), hash: '0'.repeat(64) }],
      }),
      400,
    ],
  ],
  'PATCH /v1/admin/users/{userId}': async () => [
    ['displayName with U+0000', JSON.stringify({ displayName: NUL }), 400],
    ['enrollmentId with a lone surrogate', JSON.stringify({ enrollmentId: LONE }), 400],
    ['department past its limit', JSON.stringify({ department: 'd'.repeat(201) }), 400],
  ],
  'POST /v1/classes': async () => [
    ['name with U+0000', JSON.stringify({ name: NUL }), 400],
    ['teacherId with a lone surrogate', JSON.stringify({ name: 'x', teacherId: LONE }), 400],
  ],
  'PATCH /v1/classes/{classId}': async () => [['name with a lone surrogate', JSON.stringify({ name: LONE }), 400]],
  'POST /v1/admin/api-keys': async () => [
    ['name with U+0000', JSON.stringify({ name: NUL, scopes: ['sessions:read'] }), 400],
    ['an unknown scope', JSON.stringify({ name: 'x', scopes: [NUL] }), 400],
  ],
  'PATCH /v1/admin/tenant': async () => [['name with a lone surrogate', JSON.stringify({ name: LONE }), 400]],
  'PUT /v1/admin/retention': async () => [
    ['days past ten years', JSON.stringify({ rawDays: 10_000, analysisDays: null }), 400],
    ['days as a huge number', JSON.stringify({ rawDays: 1e30, analysisDays: 1 }), 400],
    ['days as text', JSON.stringify({ rawDays: '30', analysisDays: 1 }), 400],
    ['audit days as text', JSON.stringify({ rawDays: 30, analysisDays: 30, auditDays: '365' }), 400],
    ['audit days past a hundred years', JSON.stringify({ rawDays: 30, analysisDays: 30, auditDays: 36_526 }), 400],
    ['audit days shorter than raw days', JSON.stringify({ rawDays: 30, analysisDays: 30, auditDays: 29 }), 400],
    ['audit days with raw data kept for ever', JSON.stringify({ rawDays: null, analysisDays: 30, auditDays: 365 }), 400],
  ],
  'POST /v1/admin/legal-holds': async () => [
    ['reason with U+0000', JSON.stringify({ subjectKind: 'session', subjectId: 's1', reason: `appeal${NUL}` }), 400],
    ['subject id with a lone surrogate', JSON.stringify({ subjectKind: 'person', subjectId: LONE, reason: 'appeal' }), 400],
    ['an unknown kind of subject', JSON.stringify({ subjectKind: 'tenant', subjectId: 's1', reason: 'appeal' }), 400],
  ],
  'PUT /v1/admin/consent': async () => [
    ['required as text', JSON.stringify({ required: 'yes' }), 400],
    ['an unknown field', JSON.stringify({ required: false, policy: NUL }), 400],
  ],
  'POST /v1/admin/consent/texts': async () => [
    ['title with U+0000', JSON.stringify({ title: NUL, body: 'b' }), 400],
    ['body with a lone surrogate', JSON.stringify({ title: 't', body: LONE }), 400],
    ['body past its limit', JSON.stringify({ title: 't', body: 'b'.repeat(20_001) }), 400],
  ],
  'POST /v1/me/consent': async () => [
    ['version past int4', JSON.stringify({ version: 2 ** 31 }), 400],
    ['version as text', JSON.stringify({ version: '1' }), 400],
    ['version zero', JSON.stringify({ version: 0 }), 400],
  ],
  // docs/adr/0030-stored-files-and-download-links.md
  'POST /v1/sessions/{id}/download-links': async () => [
    ['format with U+0000', JSON.stringify({ format: `csv${NUL}` }), 400],
    ['an unknown format', JSON.stringify({ format: 'zip' }), 400],
    ['format of the wrong type', JSON.stringify({ format: 1 }), 400],
    ['another field', JSON.stringify({ format: 'csv', key: 'tenants/x' }), 400],
  ],
  'POST /v1/admin/webhooks': async () => [
    ['url with U+0000', JSON.stringify({ url: `https://example.com/${NUL}`, events: ['session.ended'] }), 400],
    ['description with a lone surrogate', JSON.stringify({ url: 'https://example.com/h', description: LONE, events: ['session.ended'] }), 400],
    ['url of 2,001 characters', JSON.stringify({ url: `https://example.com/${'a'.repeat(1990)}`, events: ['session.ended'] }), 400],
    ['an unknown event', JSON.stringify({ url: 'https://example.com/h', events: [NUL] }), 400],
    ['a loopback url', JSON.stringify({ url: 'http://127.0.0.1:22/', events: ['session.ended'] }), 400],
  ],
  'PATCH /v1/admin/webhooks/{endpointId}': async () => [
    ['nothing to change', '{}', 400],
    ['description with U+0000', JSON.stringify({ description: NUL }), 400],
  ],
  'POST /v1/admin/webhooks/{endpointId}/rotate-secret': async () => [
    ['a negative overlap', JSON.stringify({ overlapSeconds: -1 }), 400],
    ['an overlap past int4', JSON.stringify({ overlapSeconds: 2147483648 }), 400],
  ],
  'POST /v1/flags/{flagId}/decisions': async () => [
    ['note with U+0000', JSON.stringify({ decision: 'confirm', note: NUL }), 400],
    ['noteToStudent with a lone surrogate', JSON.stringify({ decision: 'dismiss', noteToStudent: LONE }), 400],
    ['note of 2,001 characters', JSON.stringify({ decision: 'confirm', note: 'x'.repeat(2001) }), 400],
  ],
  'POST /v1/flags/{flagId}/answers': async () => [
    ['text with U+0000', JSON.stringify({ kind: 'appeal', text: NUL }), 400],
    ['text with a lone surrogate', JSON.stringify({ kind: 'explanation', text: LONE }), 400],
  ],
  'POST /v1/exams': async () => [
    ['title with U+0000', JSON.stringify({ ...EXAM, title: NUL }), 400],
    ['instructions with a lone surrogate', JSON.stringify({ ...EXAM, instructions: LONE }), 400],
    ['opensAt in year 0', JSON.stringify({ ...EXAM, opensAt: '0000-01-01T00:00:00Z' }), 400],
    ['durationMinutes past int4', JSON.stringify({ ...EXAM, durationMinutes: 2147483648 }), 400],
    ['a class id with U+0000', JSON.stringify({ ...EXAM, classIds: [NUL] }), 400],
    ['analysis.thresholds key with U+0000', JSON.stringify({ ...EXAM, analysis: { thresholds: { [NUL]: 1 } } }), 400],
  ],
  'PATCH /v1/exams/{examId}': async () => [
    ['subject with a lone surrogate', JSON.stringify({ subject: LONE }), 400],
    ['closesAt in year 0', JSON.stringify({ closesAt: '0000-01-01T00:00:00Z' }), 400],
  ],
  'PUT /v1/attempts/{attemptId}/score': async () => [
    ['feedback with U+0000', JSON.stringify({ score: 1, feedback: NUL }), 400],
    ['score past its limit', JSON.stringify({ score: 1e300 }), 400],
  ],
  'POST /v1/exams/{examId}/live-tickets': async () => [
    ['purpose with U+0000', JSON.stringify({ purpose: NUL }), 400],
    ['purpose with a lone surrogate', JSON.stringify({ purpose: LONE }), 400],
    ['an unknown purpose', JSON.stringify({ purpose: 'everything' }), 400],
    ['an unknown field', JSON.stringify({ purpose: 'alerts', more: 1 }), 400],
  ],
  'POST /v1/attempts/{attemptId}/external-analyses': async () => [
    ['source with U+0000', JSON.stringify({ source: NUL, result: {} }), 400],
    ['a result key with a lone surrogate', JSON.stringify({ source: 'x', result: { [LONE]: 1 } }), 400],
    ['result nested 10,000 deep', deep(JSON.stringify({ source: 'x', result: { a: DEEP_MARK } })), 400],
  ],
};

/** An LMS registration body spoiled one field at a time. */
const LTI_REGISTRATION = {
  name: 'LMS',
  issuer: 'https://lms.test',
  clientId: 'c',
  deploymentIds: ['d'],
  jwksUrl: 'https://lms.test/jwks',
  authEndpoint: 'https://lms.test/auth',
  tokenEndpoint: 'https://lms.test/token',
};
const LTI_HOSTILE: [string, string, number][] = [
  ['issuer with U+0000', JSON.stringify({ ...LTI_REGISTRATION, issuer: `https://lms.test/${NUL}` }), 400],
  ['name with a lone surrogate', JSON.stringify({ ...LTI_REGISTRATION, name: LONE }), 400],
  ['a deployment id with U+0000', JSON.stringify({ ...LTI_REGISTRATION, deploymentIds: [NUL] }), 400],
  ['no deployment', JSON.stringify({ ...LTI_REGISTRATION, deploymentIds: [] }), 400],
  ['a javascript: JWKS URL', JSON.stringify({ ...LTI_REGISTRATION, jwksUrl: 'javascript:alert(1)' }), 400],
  ['a frame origin with a path', JSON.stringify({ ...LTI_REGISTRATION, frameOrigins: ['https://lms.test/course'] }), 400],
  ['clientId past its limit', JSON.stringify({ ...LTI_REGISTRATION, clientId: 'x'.repeat(300) }), 400],
];

/** A valid exam body the hostile cases spoil one field of. */
const EXAM = {
  title: 'Exam',
  kind: 'writing',
  maxScore: 10,
  passMark: 5,
  durationMinutes: 60,
  opensAt: '2026-01-01T00:00:00Z',
  closesAt: '2026-01-02T00:00:00Z',
};

/** Bodies no route may take: malformed JSON and wrong types. */
const malformedBodies: [string, string][] = [
  ['malformed JSON', '{"kind": '],
  ['an array', '[]'],
  ['a string', '"x"'],
  ['null', 'null'],
  ['wrong types', '{"kind":5,"meta":[],"firstSeq":"0","events":{},"format":1,"session":7,"batches":"x"}'],
  ['nested 10,000 deep', deepJson(10_000)],
];

const badIntegers = ['2147483648', '1e10', '99999999999999999999999', '-99999999999999999999', '1.5', 'abc', '%00', ''];
const badIds = ['9'.repeat(40), '%00', 'a'.repeat(15), encodeURIComponent(NUL.repeat(8))];
/** Query parameters that take any short text (a search, an id to filter by): walked with text the database cannot hold, or too long. */
const FREE_TEXT_QUERY = new Set(['q', 'actorId', 'action', 'resourceType', 'resourceId', 'teacherId']);
const badTexts = ['%00', 'a%00b', '', 'a'.repeat(1000)];

function urlFor(op: Operation, id: string, query = ''): string {
  // The people's routes name ids of their own: an unknown one of the right shape, so what is walked is the body or the query.
  return (
    op.path
      .replace('{id}', id)
      .replace('{linkId}', 'sl_AAAAAAAAAAAAAAAA')
      .replace('{flagId}', 'rv_AAAAAAAAAAAAAAAA')
      .replace('{token}', 'A'.repeat(43))
      .replace('{exportId}', '00000000-0000-4000-8000-000000000000')
      .replace('{tenant}', ssoTenant.slug)
      .replace('{registrationId}', '00000000-0000-4000-8000-000000000000')
      .replace('{deepLinkToken}', 'A'.repeat(43))
      .replace(/\{(userId|observerId|teacherId|classId|keyId|examId|attemptId|studentId)\}/g, 'unknown-id') + query
  );
}

const forPeople = (op: Operation) =>
  /^\/v1\/(me|admin|classes|review|flags|exams|attempts|students|teachers|subject-exports)\b/.test(op.path) ||
  op.path.includes('/share-links') ||
  op.path.includes('/certificate/revoke');
const forStudents = (op: Operation) => op.path === '/v1/me/flags' || op.path.endsWith('/answers') || op.path === '/v1/students/me/dashboard';
/**
 * Query parameters that are not refused when unusable but replaced by a default, so their route
 * answers exactly as without them: a sign-in's returnTo that is no path of this site means "/"
 * (a 302 to the provider either way).
 */
const FALLS_BACK = new Set(['GET /v1/auth/sso/{tenant}/start returnTo']);

function authFor(op: Operation) {
  if (forStudents(op)) return student.headers;
  // A teacher grades, and reads their own dashboard.
  if (op.path.endsWith('/score') || op.path === '/v1/teachers/me/dashboard') return grader.headers;
  if (op.path.endsWith('/external-analyses')) return { authorization: `Bearer ${analysesKey}` };
  return forPeople(op) ? admin.headers : { authorization: `Bearer ${session.writeToken}` };
}

/** The session an operation is walked on: the anonymous one, or the admin's for the share-link routes. */
function idFor(op: Operation): string {
  return op.path.includes('/share-links') || op.path.includes('/certificate/revoke') ? tenantSessionId : session.id;
}

describe(`hostile input never gets a 5xx, always a problem (${TEST_DB})`, () => {
  it('walks every operation with bad path ids, bad query integers and unknown query values', async () => {
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) {
      const method = op.method as 'GET' | 'POST' | 'DELETE';
      const hasId = op.path.includes('{id}');
      for (const id of hasId ? badIds : []) {
        const r = await t.app.inject({ method, url: urlFor(op, id), headers: authFor(op) });
        expectProblem(r, `${op.method} ${op.path} with id ${id}`);
        expect(r.statusCode, `${op.method} ${op.path} with id ${id}`).toBeGreaterThanOrEqual(400);
      }
      for (const p of (op.parameters ?? []).filter((p) => p.in === 'query')) {
        const fallsBack = FALLS_BACK.has(`${op.method} ${op.path} ${p.name}`);
        const bare = fallsBack ? (await t.app.inject({ method, url: urlFor(op, idFor(op)), headers: authFor(op) })).statusCode : 400;
        for (const v of FREE_TEXT_QUERY.has(p.name) ? badTexts : badIntegers) {
          const r = await t.app.inject({ method, url: urlFor(op, idFor(op), `?${p.name}=${v}`), headers: authFor(op) });
          // Text the database cannot store is refused at the door all the same.
          expectProblem(r, `${op.method} ${op.path} with ${p.name}=${v}`, isStorableText(decodeURIComponent(v)) ? bare : 400);
        }
      }
      const r = await t.app.inject({ method, url: urlFor(op, idFor(op), `?after=${encodeURIComponent(NUL)}&x=%00`), headers: authFor(op) });
      expectProblem(r, `${op.method} ${op.path} with U+0000 in the query`);
    }
  });

  it('walks every operation that takes a body with malformed bodies, wrong types and what the database cannot store', { timeout: 180_000 }, async () => {
    for (const op of operations.filter((o) => o.requestBody)) {
      const key = `${op.method} ${op.path}`;
      const builder = hostileBodies[key];
      expect(builder, `${key} takes a body: add its hostile bodies to this test`).toBeDefined();
      const cases: [string, string, number | undefined][] = [
        ...malformedBodies.map(([w, b]) => [w, b, 400] as [string, string, number]),
        ...(await builder!()),
      ];
      for (const [what, payload, status] of cases) {
        const r = await t.app.inject({
          method: op.method as 'POST',
          url: urlFor(op, idFor(op)),
          headers: { 'content-type': 'application/json', ...authFor(op) },
          payload,
        });
        expectProblem(r, `${key}: ${what}`, status);
        if (status === 400) expect(r.json().detail, `${key}: ${what} names the field`).toMatch(/\//);
      }
    }
    // Nothing was stored along the way.
    const events = await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/events` });
    expect(events.json().items).toEqual([]);
  });

  it('walks the WebSocket ingest with the same input', { timeout: 120_000 }, async () => {
    const { ws, opened, next } = openSocket(`${wsBase}/v1/sessions/${session.id}/ingest`);
    expect(await opened).toBe('open');
    ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token: session.writeToken }));
    expect(await next()).toMatchObject({ type: 'ready' });

    const messages: [string, string][] = [
      ['malformed JSON', '{"type":"batch",'],
      ['wrong types', JSON.stringify({ type: 'batch', batch: { firstSeq: 'x', events: 5 } })],
      ['a batch nested 10,000 deep', deep(JSON.stringify({ type: 'batch', batch: DEEP_MARK }))],
      ['custom data nested 10,000 deep', deep(JSON.stringify({ type: 'batch', batch: await hostileBatch(DEEP, 0, false) }))],
      ['custom data nested 10,000 deep (held)', deep(JSON.stringify({ type: 'batch', batch: await hostileBatch(DEEP, 9, false) }))],
      ...(await Promise.all(
        hostileEvents.map(async ([what, e]) => [what, JSON.stringify({ type: 'batch', batch: await hostileBatch(e, 0) })] as [string, string]),
      )),
      ...(await Promise.all(
        hostileEvents.map(async ([what, e]) => [`${what} (held)`, JSON.stringify({ type: 'batch', batch: await hostileBatch(e, 9) })] as [string, string]),
      )),
    ];
    for (const [what, message] of messages) {
      ws.send(message);
      const answer = await next();
      expect(answer.type, `${what}: ${JSON.stringify(answer).slice(0, 300)}`).toBe('error');
      expect(answer.problem.status, `${what}: ${JSON.stringify(answer.problem)}`).toBe(400);
      expect(answer.problem.type, what).toMatch(/^urn:veritas:problem:/);
    }
    // The socket still works after all that.
    const ok = await sealBatch(
      [{ seq: 0, t: 0, type: 'mark', data: { label: 'fine' } }],
      await genesisHash(session.id),
      await macKeyFromToken(session.writeToken),
    );
    ws.send(JSON.stringify({ type: 'batch', batch: ok }));
    const okAnswer = await next();
    expect(okAnswer, JSON.stringify(okAnswer)).toMatchObject({ type: 'ack', ack: 0 });
    ws.close();
  });

  it('walks an exam’s alerts socket: every hostile message a problem, the socket still open; bad tickets and origins refused at the upgrade', async () => {
    const exam = (await t.app.inject({ method: 'POST', url: '/v1/exams', headers: admin.headers, payload: EXAM })).json().id as string;
    const url = `${wsBase}/v1/exams/${exam}/alerts/socket`;
    const refused = async (path: string, headers: Record<string, string>) => {
      const ws = new WebSocket(path, { headers });
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(0));
      });
      ws.terminate();
      return status;
    };
    expect(await refused(`${url}?ticket=${'A'.repeat(43)}`, {})).toBe(401);
    expect(await refused(`${url}?ticket=${encodeURIComponent(NUL)}`, {})).toBe(401);
    expect(await refused(`${url}?ticket=${'%F0'.repeat(50)}`, {})).toBe(401);
    expect(await refused(url, { ...admin.headers, origin: 'https://evil.example' })).toBe(403);
    expect(await refused(url, { ...admin.headers, origin: 'not a url' })).toBe(403);
    expect(await refused(`${wsBase}/v1/exams/${encodeURIComponent(NUL)}/alerts/socket`, admin.headers)).toBeGreaterThanOrEqual(400);

    const ws = new WebSocket(url, { headers: admin.headers });
    const inbox: { type: string; problem?: { type: string; status: number } }[] = [];
    const waiters: (() => void)[] = [];
    ws.on('message', (d) => {
      inbox.push(JSON.parse(d.toString()));
      waiters.shift()?.();
    });
    await new Promise((r) => ws.once('open', r));
    const messages: [string, string | Buffer][] = [
      ['malformed JSON', '{"type":"ack",'],
      ['wrong types', JSON.stringify({ type: 'ack', alertId: 5 })],
      ['an unknown type', JSON.stringify({ type: 'subscribe', examId: exam })],
      ['alertId with U+0000', JSON.stringify({ type: 'ack', alertId: NUL })],
      ['alertId with a lone surrogate', JSON.stringify({ type: 'ack', alertId: LONE })],
      ['nested 10,000 deep', deepJson(10_000)],
      ['an unknown alert', JSON.stringify({ type: 'ack', alertId: 'unknown-alert' })],
      ['binary', Buffer.from([0, 1, 2])],
    ];
    for (const [what, message] of messages) {
      const answered = new Promise<void>((r) => waiters.push(r));
      ws.send(message);
      await answered;
      const answer = inbox.at(-1)!;
      expect(answer.type, what).toBe('problem');
      expect(answer.problem!.status, `${what}: ${JSON.stringify(answer)}`).toBeLessThan(500);
      expect(answer.problem!.type, what).toMatch(/^urn:veritas:problem:/);
    }
    expect(ws.readyState, 'still open').toBe(ws.OPEN);
    ws.close();
  });
});
