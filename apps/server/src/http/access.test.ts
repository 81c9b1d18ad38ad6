import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { INGEST_PROTOCOL } from '@veritas/schema';
import { ACCESS_LEVELS, ACTIONS, POLICY, type Access, type Action } from '../kernel/policy';
import { createTestApp, type TestApp } from '../testing/test-app';
import { buildSdkInto } from '../modules/sdk/sdk-build';
import { createTestDatabase } from '../testing/test-database';
import { buildBatch, buildBundle, createSession, type CreatedSession } from '../testing/factories';
import { loadConfig } from '../config/config';
import { buildApp } from './app';
import { writerOf } from './route-kit';
import { ANONYMOUS } from '../kernel/actor';
import { PUBLIC_SCOPE, tenantId } from '../kernel/scope';
import { buildPerson, buildTenant } from '../testing/people';
import { argon2Hasher } from '../modules/auth';
import { callbackUrlOf, start, useProvider } from '../modules/sso/testing/sso-flow';
import { signInAtProvider, startTestProvider, type TestProvider } from '../modules/sso/testing/test-provider';
import type { TenantRow } from '../modules/people';
import { startTestPlatform, formOf, ROLE, type TestPlatform } from '../modules/lti/testing/test-platform';
import { randomToken, tokenHash } from '../modules/auth';

let t: TestApp;
let sdk: ReturnType<typeof buildSdkInto>;
let wsBase: string;
/** An OpenID Connect provider, and an institution signing in with it, for the SSO routes. */
let provider: TestProvider;
let ssoTenant: TenantRow;
const SSO_SUB = 'access-walk-person';
beforeAll(async () => {
  // The recorder's build, made for this app: /sdk answers what it serves, not whether a build lies around.
  sdk = buildSdkInto();
  // The walk creates a session per route and credential: more than the anonymous rate limit allows.
  t = await createTestApp({ rateLimit: { anonymousPerMinute: 100_000, ingestPerMinute: 100_000 }, sdkDir: sdk.dir });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  wsBase = `ws://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const client = { clientId: 'access-walk', clientSecret: 'access-walk-client-secret-0123' };
  provider = await startTestProvider({ clients: [{ ...client, redirectUris: [callbackUrlOf(wsBase.replace('ws:', 'http:'))] }] });
  ssoTenant = await buildTenant(t.app);
  await useProvider(t.app, ssoTenant, provider, client);
  await buildPerson(t.app, ssoTenant, 'student', { oidc_subject: SSO_SUB });
  provider.accounts.set(SSO_SUB, { sub: SSO_SUB });
});
afterAll(async () => {
  await lms?.platform.close();
  await provider?.close();
  await t?.close();
});

type Credential = 'none' | 'wrong token' | "another session's token" | 'own token';
const CREDENTIALS: Credential[] = ['none', 'wrong token', "another session's token", 'own token'];

const WRONG_TOKEN = 'A'.repeat(43);
let bundleN = 0;

function tokenFor(credential: Credential, own: CreatedSession, other: CreatedSession): string | undefined {
  switch (credential) {
    case 'none':
      return undefined;
    case 'wrong token':
      return WRONG_TOKEN;
    case "another session's token":
      return other.writeToken;
    case 'own token':
      return own.writeToken;
  }
}

/** A request to a route that passes its schema, so only access can refuse it. */
async function requestFor(method: string, url: string, own: CreatedSession) {
  const path = url.replace(':id', own.id).replace('*', 'index.html');
  if (method === 'POST' && url === '/v1/sessions') return { path, payload: { kind: 'writing' } };
  if (method === 'POST' && url === '/v1/sessions/:id/events') return { path, payload: await buildBatch({ sessionId: own.id, writeToken: own.writeToken }) };
  if (method === 'POST' && url === '/v1/bundles') return { path, payload: await buildBundle({ id: `accessWalkBundle${String(bundleN++).padStart(4, '0')}` }) };
  if (url.startsWith('/v1/auth/')) return signInRequestFor(method, url);
  if (url.startsWith('/v1/lti/deep-links/')) return deepLinkRequestFor(method, url);
  if (url.startsWith('/v1/lti/')) return ltiRequestFor(method, url);
  if (url === '/sdk/recorder@:version.js') return { path: `/sdk/recorder@${sdk.version}.js` };
  // A live stream lasts as long as its session: the walk's ends after the stored events and the end.
  // The raw data is given for an ended session only.
  if (url === '/v1/sessions/:id/live' || url === '/v1/sessions/:id/data')
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${own.id}/end`, headers: { authorization: `Bearer ${own.writeToken}` } });
  // The IDFX export too (of an ended session only).
  if (url === '/v1/sessions/:id/export.idfx')
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${own.id}/end`, headers: { authorization: `Bearer ${own.writeToken}` } });
  // Download links and downloads: of an ended session's stored file (ADR 0030).
  if (url === '/v1/sessions/:id/download-links' || url === '/v1/downloads')
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${own.id}/end`, headers: { authorization: `Bearer ${own.writeToken}` } });
  if (url === '/v1/sessions/:id/download-links') return { path, payload: { format: 'csv' } };
  if (url === '/v1/downloads') {
    const link = await t.app.services.downloads.link({ actor: ANONYMOUS }, PUBLIC_SCOPE, own.id, 'csv', { base: 'http://x', verify: 'http://x/verify' });
    return { path: `${new URL(link.url).pathname}${new URL(link.url).search}` };
  }
  return { path };
}

/** Sign-in routes are open to anyone and judge the credential in their body or path: give them good ones. */
let signer: Awaited<ReturnType<typeof buildPerson>> | undefined;
async function signInRequestFor(method: string, url: string): Promise<{ path: string; payload?: object }> {
  signer ??= await buildPerson(t.app, await buildTenant(t.app), 'teacher', { password_hash: await argon2Hasher.hash('access walk passphrase') });
  const context = { ip: null, requestId: null };
  if (url === '/v1/auth/login') return { path: url, payload: { email: signer.user.email, password: 'access walk passphrase' } };
  if (url === '/v1/auth/refresh')
    return { path: url, payload: { refreshToken: (await t.app.services.auth.signIn(signer.user, 'password', context)).refreshToken } };
  // SSO: an institution that has it; the callback with what a provider sends back after a real sign-in there.
  if (url === '/v1/auth/sso/:tenant' || url === '/v1/auth/sso/:tenant/start') return { path: url.replace(':tenant', ssoTenant.slug) };
  if (url === '/v1/auth/sso/callback') {
    const base = wsBase.replace('ws:', 'http:');
    const back = new URL(await signInAtProvider((await start(base, ssoTenant.slug)).href, { as: SSO_SUB, stopAt: callbackUrlOf(base) }));
    return { path: `${back.pathname}${back.search}` };
  }
  if (url === '/v1/auth/links/:token') {
    const email = `walk-${bundleN++}@access.test`;
    const { url: link } = await t.app.services.auth.links.invite(ANONYMOUS, tenantId(signer.user.tenant_id), { email, role: 'student' }, 'http://x', context);
    return { path: url.replace(':token', link.split('/accept/')[1]!), ...(method === 'POST' ? { payload: { password: 'a walk passphrase' } } : {}) };
  }
  return { path: url };
}

/** LTI's LMS-facing routes: a registered test platform, a login initiation of it, and a launch with what its auth endpoint posts. */
let lms: { platform: TestPlatform; registrationId: string } | undefined;
async function ltiRequestFor(method: string, url: string): Promise<{ path: string; payload?: object }> {
  if (!lms) {
    const platform = await startTestPlatform();
    const tenant = await buildTenant(t.app);
    const admin = await buildPerson(t.app, tenant, 'admin');
    const body = { name: 'Walk LMS', issuer: platform.issuer, clientId: platform.clientId, deploymentIds: [platform.deploymentId] };
    const urls = { jwksUrl: platform.jwksUrl, authEndpoint: platform.authEndpoint, tokenEndpoint: platform.tokenEndpoint };
    const r = await t.app.inject({ method: 'POST', url: '/v1/admin/lti/registrations', headers: admin.headers, payload: { ...body, ...urls } });
    lms = { platform, registrationId: (r.json() as { id: string }).id };
  }
  const params = { iss: lms.platform.issuer, login_hint: `walk-${bundleN++}`, target_link_uri: 'https://veritas.invalid/launch' };
  const login = `/v1/lti/${lms.registrationId}/login`;
  if (url === '/v1/lti/:registrationId/login')
    return method === 'POST' ? { path: login, payload: params } : { path: `${login}?${new URLSearchParams(params)}` };
  if (url === '/v1/lti/launch') {
    lms.platform.launches.set(params.login_hint, { sub: params.login_hint, roles: [ROLE.learner] });
    const started = await t.app.inject({ method: 'GET', url: `${login}?${new URLSearchParams(params)}` });
    const form = formOf(await (await fetch(String(started.headers.location))).text());
    return { path: url, payload: { id_token: form.id_token, state: form.state } };
  }
  return { path: url };
}

/** Deep linking's picker routes: a fresh request in flight (as a deep-linking launch leaves it) of an institution's admin; the answer cancels it. */
let deepLinker: { registrationId: string; person: Awaited<ReturnType<typeof buildPerson>> } | undefined;
async function deepLinkRequestFor(method: string, url: string): Promise<{ path: string; payload?: object }> {
  if (!deepLinker) {
    const person = await buildPerson(t.app, await buildTenant(t.app), 'admin');
    const lms = 'https://lms.walk.example';
    const payload = {
      name: 'Walk LMS',
      issuer: lms,
      clientId: 'walk',
      deploymentIds: ['walk'],
      jwksUrl: `${lms}/jwks`,
      authEndpoint: `${lms}/auth`,
      tokenEndpoint: `${lms}/token`,
    };
    const r = await t.app.inject({ method: 'POST', url: '/v1/admin/lti/registrations', headers: person.headers, payload });
    deepLinker = { registrationId: (r.json() as { id: string }).id, person };
  }
  const token = randomToken();
  await t.app.services.database.db
    .insertInto('lti_deep_links')
    .values({
      token_hash: tokenHash(token),
      tenant_id: deepLinker.person.user.tenant_id,
      registration_id: deepLinker.registrationId,
      user_id: deepLinker.person.user.id,
      deployment_id: 'walk',
      return_url: 'https://lms.walk.example/deep-link-return',
      expires_at: new Date(Date.now() + 3_600_000),
    })
    .execute();
  const path = url.replace(':deepLinkToken', token);
  return method === 'POST' ? { path, payload: { action: 'cancel' } } : { path };
}

/** What the declared access promises a caller holding `credential`. */
function expectAnswer(route: string, declared: readonly Access[] | undefined, credential: Credential, status: number, body: string, where: string) {
  // A HEAD answer has no body: its status says it all.
  const type = status >= 400 && body ? (JSON.parse(body) as { type?: string }).type : undefined;
  // A route that needs a person's action (alone, or with reader as reader + sessions:delete): a
  // capability is no person, whatever it holds — unless the table lets capability holders pass it.
  const actions = (declared ?? []).filter((a): a is Action => (ACTIONS as readonly string[]).includes(a));
  if (actions.some((a) => POLICY[a].anonymous === false)) {
    expect(status, where).toBe(401);
    if (type !== undefined) expect(type, where).toBe('urn:veritas:problem:unauthenticated');
    return;
  }
  // An action capability holders pass (sessions:list: the published sessions) answers as `anyone`.
  const access = declared?.find((a) => (ACCESS_LEVELS as readonly string[]).includes(a)) ?? (actions.length > 0 ? 'anyone' : undefined);
  if (access === 'writer') {
    if (credential === 'own token') {
      // Let through, the socket route answers a plain request (no upgrade) 404: it serves only sockets.
      if (route === '/v1/sessions/:id/ingest') expect(status, where).toBe(404);
      else expect(status, where).toBeLessThan(300);
    } else {
      expect(status, where).toBe(401);
      if (type !== undefined) expect(type, where).toBe(credential === 'none' ? 'urn:veritas:problem:missing-token' : 'urn:veritas:problem:invalid-token');
    }
    return;
  }
  if (access === 'signed-in') {
    // A person's routes (their profile, an action of their role): none of these credentials is a person.
    expect(status, where).toBe(401);
    if (type !== undefined) expect(type, where).toBe('urn:veritas:problem:unauthenticated');
    return;
  }
  // anyone, public, reader (the path holds the session id, the read capability), and the docs pages:
  // any credential, or none, is let through.
  expect(status, where).toBeLessThan(400);
}

describe('every route answers as its declared access promises', () => {
  it("walks app.routeAccess with no token, a wrong token, another session's token and its own", async () => {
    const other = await createSession(t.app);
    const walked: string[] = [];
    const routes = t.app.routeAccess.flatMap((r) => r.method.split(',').map((method) => ({ ...r, method })));
    for (const route of routes) {
      for (const credential of CREDENTIALS) {
        const own = await createSession(t.app);
        const token = tokenFor(credential, own, other);
        const where = `${route.method} ${route.url} (${route.access?.join('+') ?? 'docs'}) with ${credential}`;
        // The ingest socket is walked as a socket below; here, as plain HTTP (no upgrade), the hook guards it like any route.
        const { path, payload } = await requestFor(route.method, route.url, own);
        const r = await t.app.inject({
          method: route.method as 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
          url: path,
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...(payload ? { payload } : {}),
        });
        expectAnswer(route.url, route.access, credential, r.statusCode, r.body, where);
        walked.push(`${route.method} ${route.url}`);
      }
    }
    // The walk covered the API, not just the docs.
    for (const r of [
      'POST /v1/sessions',
      'GET /v1/sessions',
      'GET /v1/sessions/:id',
      'GET /v1/sessions/:id/events',
      'POST /v1/sessions/:id/events',
      'POST /v1/sessions/:id/end',
      'GET /v1/sessions/:id/bundle',
      'GET /v1/sessions/:id/data',
      'GET /v1/sessions/:id/replay',
      'GET /v1/sessions/:id/analysis',
      'GET /v1/sessions/:id/alerts',
      'GET /v1/sessions/:id/report',
      'GET /v1/sessions/:id/report.pdf',
      'GET /v1/sessions/:id/export.idfx',
      'POST /v1/sessions/:id/download-links',
      'GET /v1/downloads',
      'DELETE /v1/sessions/:id',
      'POST /v1/sessions/:id/share-links',
      'GET /v1/sessions/:id/share-links',
      'DELETE /v1/sessions/:id/share-links/:linkId',
      'POST /v1/bundles',
      'GET /v1/demo/sessions',
      'GET /health',
      'GET /ready',
      'GET /metrics',
      'GET /openapi.json',
      'POST /v1/auth/login',
      'POST /v1/auth/links/:token',
      'GET /v1/me',
      'POST /v1/admin/invitations',
      'PUT /v1/admin/sso',
      'GET /v1/auth/sso/:tenant',
      'GET /v1/auth/sso/:tenant/start',
      'GET /v1/auth/sso/callback',
      'POST /v1/lti/launch',
      'GET /v1/lti/:registrationId/login',
      'GET /v1/lti/deep-links/:deepLinkToken',
      'POST /v1/lti/deep-links/:deepLinkToken/response',
      'POST /v1/exams/:examId/live-tickets',
      'GET /v1/exams/:examId/live',
      'GET /v1/exams/:examId/alerts/socket',
      'GET /v1/admin/consent',
      'PUT /v1/admin/consent',
      'POST /v1/admin/consent/texts',
      'GET /v1/me/consent',
      'POST /v1/me/consent',
      'POST /v1/me/consent/withdraw',
      'POST /v1/admin/users/:userId/subject-export',
      'POST /v1/me/subject-export',
      'GET /v1/subject-exports/:exportId',
      'GET /v1/subject-exports/:exportId/archive',
      'POST /v1/classes/:classId/lti-roster-sync',
    ]) {
      expect(walked, r).toContain(r);
    }
  });

  it('walks the ingest socket: its hello is checked by the same access declaration', async () => {
    const route = t.app.routeAccess.find((r) => r.url === '/v1/sessions/:id/ingest' && r.method === 'GET');
    expect(route?.access).toEqual(['writer']);
    const other = await createSession(t.app);
    for (const credential of CREDENTIALS) {
      const own = await createSession(t.app);
      const ws = new WebSocket(`${wsBase}/v1/sessions/${own.id}/ingest`);
      const first = new Promise<{ type: string; problem?: { type: string } }>((resolve, reject) => {
        ws.once('message', (d) => resolve(JSON.parse(d.toString())));
        ws.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      await new Promise((resolve) => ws.once('open', resolve));
      const token = tokenFor(credential, own, other);
      ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, ...(token ? { token } : {}) }));
      const answer = await first;
      if (credential === 'own token') {
        expect(answer.type, credential).toBe('ready');
        ws.close();
      } else {
        expect(answer, credential).toMatchObject({
          type: 'error',
          problem: { type: credential === 'none' ? 'urn:veritas:problem:missing-token' : 'urn:veritas:problem:invalid-token' },
        });
        expect(await closed, credential).toBe(4401);
      }
    }
  });
});

describe("an exam's alerts socket", () => {
  it('checks its declared access before the upgrade: no credential, a write token or a session’s live ticket is refused', async () => {
    const route = t.app.routeAccess.find((r) => r.url === '/v1/exams/:examId/alerts/socket' && r.method === 'GET');
    expect(route?.access).toEqual(['exams:watch']);
    const own = await createSession(t.app);
    const sessionTicket = (await t.app.inject({ method: 'POST', url: `/v1/sessions/${own.id}/live-tickets` })).json().ticket as string;
    const upgrade = (query: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${wsBase}/v1/exams/some-exam/alerts/socket${query}`, { headers });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.once('open', () => resolve(101));
        ws.once('error', () => resolve(0));
      });
    expect(await upgrade('')).toBe(401);
    expect(await upgrade('', { authorization: `Bearer ${own.writeToken}` })).toBe(401);
    expect(await upgrade(`?ticket=${sessionTicket}`)).toBe(401);
    expect(await upgrade(`?ticket=${WRONG_TOKEN}`)).toBe(401);
  });
});

describe('the access hook, not the handler, enforces the declaration', () => {
  it('refuses a writer route whose handler would answer anyone, and lets a reader route through', async () => {
    const db = await createTestDatabase();
    const app = await buildApp({ config: loadConfig({}, { dataDir: undefined, logLevel: 'silent' }), database: db.database, logger: false });
    let handled = 0;
    // Handlers that check nothing: whatever refuses a caller here is the hook.
    app.post('/v1/test/:id/write', { config: { access: 'writer' } }, async (req) => {
      handled++;
      return { ok: true, writer: writerOf(req).sessionId };
    });
    app.get('/v1/test/:id/read', { config: { access: 'reader' } }, async (req) => ({ ok: true, actor: req.actor.kind }));
    await app.ready();
    try {
      const own = await createSession(app);
      const other = await createSession(app);
      const none = await app.inject({ method: 'POST', url: `/v1/test/${own.id}/write` });
      expect(none.statusCode).toBe(401);
      expect(none.json().type).toBe('urn:veritas:problem:missing-token');
      const wrong = await app.inject({ method: 'POST', url: `/v1/test/${own.id}/write`, headers: { authorization: `Bearer ${WRONG_TOKEN}` } });
      expect(wrong.json().type).toBe('urn:veritas:problem:invalid-token');
      const another = await app.inject({ method: 'POST', url: `/v1/test/${own.id}/write`, headers: { authorization: `Bearer ${other.writeToken}` } });
      expect(another.json().type).toBe('urn:veritas:problem:invalid-token');
      const unknown = await app.inject({
        method: 'POST',
        url: `/v1/test/AAAAAAAAAAAAAAAAAAAAAA/write`,
        headers: { authorization: `Bearer ${own.writeToken}` },
      });
      expect(unknown.json().type).toBe('urn:veritas:problem:not-found');
      expect(handled).toBe(0);

      const ok = await app.inject({ method: 'POST', url: `/v1/test/${own.id}/write`, headers: { authorization: `Bearer ${own.writeToken}` } });
      expect(ok.json()).toEqual({ ok: true, writer: own.id });
      expect(handled).toBe(1);
      expect((await app.inject({ method: 'GET', url: `/v1/test/${own.id}/read` })).json()).toEqual({ ok: true, actor: 'session-reader' });
      expect((await app.inject({ method: 'GET', url: `/v1/test/${own.id}/read`, headers: { authorization: `Bearer ${own.writeToken}` } })).json()).toEqual({
        ok: true,
        actor: 'session-writer',
      });
    } finally {
      await app.close();
      await db.drop();
    }
  });

  it('closes every public route, before its handler, when the server takes no anonymous sessions', async () => {
    const closed = await createTestApp({ publicSessions: false });
    try {
      const publicRoutes = closed.app.routeAccess.filter((r) => r.access?.includes('public'));
      expect(publicRoutes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['POST /v1/bundles', 'POST /v1/sessions']);
      for (const r of publicRoutes) {
        const res = await closed.app.inject({
          method: 'POST',
          url: r.url,
          payload: r.url === '/v1/bundles' ? await buildBundle({ id: 'accessClosedBundle01' }) : { kind: 'writing' },
        });
        expect(res.statusCode, r.url).toBe(403);
        expect(res.json().type).toBe('urn:veritas:problem:public-sessions-disabled');
      }
    } finally {
      await closed.close();
    }
  });
});
