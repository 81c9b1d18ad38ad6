import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildPerson, buildTenant } from '../../testing/people';
import type { TenantRow } from '../people';
import { safeReturnTo } from './index';
import { callbackUrlOf, listening, refreshWith, start, throughProvider, useProvider, visitCallback } from './testing/sso-flow';
import { signInAtProvider, startTestProvider, type TestProvider } from './testing/test-provider';
import { auditedAction } from '../../testing/linked-audit';

/** Issue 10: signing in with an institution's OpenID Connect provider, against a real provider (oidc-provider) over real HTTP. */

const CLIENT = { clientId: 'veritas', clientSecret: 'veritas-client-secret-0123456789' };
const SECOND = { clientId: 'veritas-second', clientSecret: 'second-client-secret-0123456789' };

let t: TestApp;
let base: string;
let callback: string;
/** The provider most tenants use, with two clients; `elsewhere`, another issuer with a client of the same id. */
let op: TestProvider;
let elsewhere: TestProvider;

beforeAll(async () => {
  t = await createTestApp({ rateLimit: { anonymousPerMinute: 10_000 } });
  base = await listening(t.app);
  callback = callbackUrlOf(base);
  const clients = [CLIENT, SECOND].map((c) => ({ ...c, redirectUris: [callback] }));
  op = await startTestProvider({ clients });
  elsewhere = await startTestProvider({ clients });
});
afterAll(async () => {
  await op?.close();
  await elsewhere?.close();
  await t?.close();
});

const db = () => t.app.services.database.db;
const audited = (tenant: TenantRow, action: string) => auditedAction(t.app.services, action, tenant.id);
const loginRow = (state: string) => db().selectFrom('oidc_logins').selectAll().where('state', '=', state).executeTakeFirst();
const stateOf = (url: string) => new URL(url).searchParams.get('state')!;

/** A tenant signing in with `provider`'s `client`, and a person of it linked to `sub` at the provider. */
async function school(provider = op, oidcClient = CLIENT) {
  const tenant = await buildTenant(t.app);
  await useProvider(t.app, tenant, provider, oidcClient);
  return tenant;
}
async function linkedPerson(tenant: TenantRow, provider = op, role: 'teacher' | 'student' = 'teacher') {
  const sub = `sub-${Math.random().toString(36).slice(2)}`;
  const { user } = await buildPerson(t.app, tenant, role, { oidc_subject: sub });
  provider.accounts.set(sub, { sub, email: `${sub}@provider.test`, emailVerified: true, name: 'Ada Lovelace' });
  return { user, sub };
}

describe(`single sign-on with OpenID Connect (${TEST_DB})`, () => {
  it('signs a person in: PKCE S256, state and nonce at the provider; cookies, a refresh, /v1/me with authMethod oidc in the right tenant', async () => {
    const tenant = await school();
    const { user, sub } = await linkedPerson(tenant);

    const authUrl = await start(base, tenant.slug, '/exams/42?tab=live');
    expect(authUrl.origin).toBe(new URL(op.issuer).origin);
    const q = authUrl.searchParams;
    expect(q.get('client_id')).toBe(CLIENT.clientId);
    expect(q.get('redirect_uri')).toBe(callback);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('nonce')).toMatch(/^[\w-]{43}$/);
    // The challenge is the S256 of the verifier kept for the callback.
    const row = await loginRow(q.get('state')!);
    expect(row).toMatchObject({ tenant_id: tenant.id, nonce: q.get('nonce'), return_to: '/exams/42?tab=live' });
    expect(q.get('code_challenge')).toBe(await client.calculatePKCECodeChallenge(row!.code_verifier));
    expect(row!.expires_at.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);

    const back = await visitCallback(await signInAtProvider(authUrl.href, { as: sub, stopAt: callback }));
    expect(back.status, JSON.stringify(back.problem)).toBe(302);
    expect(back.location).toBe('/exams/42?tab=live');
    expect(Object.keys(back.cookies).sort()).toEqual(['veritas_csrf', 'veritas_refresh']);
    expect(await loginRow(q.get('state')!)).toBeUndefined();

    const refreshed = await refreshWith(base, back.cookies);
    expect(refreshed.status).toBe(200);
    const { accessToken } = (await refreshed.json()) as { accessToken: string };
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toMatchObject({ id: user.id, authMethod: 'oidc', role: 'teacher', tenant: { id: tenant.id, slug: tenant.slug } });

    const [entry] = await audited(tenant, 'auth.sso.sign-in');
    expect(entry).toMatchObject({ actor_id: user.id, auth_method: 'oidc', resource_id: user.id, detail: { issuer: op.issuer, sub } });
    expect(await audited(tenant, 'auth.sign-in')).toHaveLength(1);
  });

  it('tells a sign-in page whether an institution signs in with its provider; an unknown one is 404, one without SSO cannot start', async () => {
    const withSso = await school();
    const without = await buildTenant(t.app);
    const info = await t.app.inject({ method: 'GET', url: `/v1/auth/sso/${withSso.slug}` });
    expect(info.json()).toEqual({ tenant: withSso.slug, tenantName: withSso.name, enabled: true, startUrl: `${base}/v1/auth/sso/${withSso.slug}/start` });
    expect((await t.app.inject({ method: 'GET', url: `/v1/auth/sso/${without.slug}` })).json()).toMatchObject({ enabled: false, tenantName: without.name });
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/auth/sso/no-such-school' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().type).toBe('urn:veritas:problem:not-found');
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/sso/Not_A_Slug' })).statusCode).toBe(400);
    const notConfigured = await t.app.inject({ method: 'GET', url: `/v1/auth/sso/${without.slug}/start` });
    expect(notConfigured.statusCode).toBe(404);
    expect(notConfigured.json().type).toBe('urn:veritas:problem:sso-not-configured');
    expect((await t.app.inject({ method: 'GET', url: '/v1/auth/sso/no-such-school/start' })).statusCode).toBe(404);
  });

  it('returns only to a path of this site: anything else goes home', async () => {
    for (const bad of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'exams', '', '/a b', '/\u00e9']) {
      expect(safeReturnTo(bad), bad).toBe('/');
    }
    expect(safeReturnTo(undefined)).toBe('/');
    expect(safeReturnTo('/review/7?flag=3#evidence')).toBe('/review/7?flag=3#evidence');
    const tenant = await school();
    const { sub } = await linkedPerson(tenant);
    const back = await visitCallback(await throughProvider(base, tenant.slug, sub, '//evil.example/steal'));
    expect(back.status).toBe(302);
    expect(back.location).toBe('/');
  });

  it('refuses an unknown, missing, replayed or expired state (400 sso-state-invalid), and a replay signs no one in', async () => {
    const tenant = await school();
    const { sub } = await linkedPerson(tenant);
    for (const url of [`${callback}?code=abc&state=never-issued`, `${callback}?code=abc`, callback]) {
      const r = await visitCallback(url);
      expect(r.status, url).toBe(400);
      expect(r.problem?.type).toBe('urn:veritas:problem:sso-state-invalid');
      expect(r.cookies).toEqual({});
    }

    const url = await throughProvider(base, tenant.slug, sub);
    expect((await visitCallback(url)).status).toBe(302);
    const replay = await visitCallback(url);
    expect(replay.status).toBe(400);
    expect(replay.problem?.type).toBe('urn:veritas:problem:sso-state-invalid');
    expect(replay.cookies).toEqual({});

    const late = await throughProvider(base, tenant.slug, sub);
    await db()
      .updateTable('oidc_logins')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('state', '=', stateOf(late))
      .execute();
    const expired = await visitCallback(late);
    expect(expired.status).toBe(400);
    expect(expired.problem).toMatchObject({ type: 'urn:veritas:problem:sso-state-invalid', detail: expect.stringMatching(/10 minutes/) });
    const failures = await audited(tenant, 'auth.sso.sign-in-failed');
    expect(failures.map((f) => f.detail.reason)).toEqual(['expired']);
    expect(await audited(tenant, 'auth.sso.sign-in')).toHaveLength(1);
  });

  it('needs the PKCE verifier of the flow: a tampered verifier is refused by the provider (400 sso-refused)', async () => {
    const tenant = await school();
    const { sub } = await linkedPerson(tenant);
    const url = await throughProvider(base, tenant.slug, sub);
    await db().updateTable('oidc_logins').set({ code_verifier: client.randomPKCECodeVerifier() }).where('state', '=', stateOf(url)).execute();
    const r = await visitCallback(url);
    expect(r.status).toBe(400);
    expect(r.problem).toMatchObject({ type: 'urn:veritas:problem:sso-refused', detail: expect.stringMatching(/invalid_grant/) });
    expect(r.cookies).toEqual({});
    expect((await audited(tenant, 'auth.sso.sign-in-failed')).map((f) => f.detail.reason)).toEqual(['token-error']);
  });

  it('refuses a code or an ID token meant for another client, made by another issuer, or not signed by the provider', async () => {
    const tenant = await school();
    const { sub } = await linkedPerson(tenant);
    elsewhere.accounts.set(sub, op.accounts.get(sub)!);
    const sibling = await school(op, SECOND);
    const foreign = await school(elsewhere, CLIENT);
    const withStateOf = (code: string, state: string, iss?: string | null) => {
      const u = new URL(code);
      u.searchParams.set('state', state);
      if (iss === null) u.searchParams.delete('iss');
      else if (iss !== undefined) u.searchParams.set('iss', iss);
      return u.href;
    };
    const refusedWith = async (url: string, pattern: RegExp) => {
      const r = await visitCallback(url);
      expect(r.status, url).toBe(400);
      expect(r.problem).toMatchObject({ type: 'urn:veritas:problem:sso-refused', detail: expect.stringMatching(pattern) });
      expect(r.cookies).toEqual({});
    };
    const flowOf = async () => stateOf((await start(base, tenant.slug)).href);

    // A code the provider issued to another client (a sibling tenant's), brought to this tenant's flow.
    await refusedWith(withStateOf(await throughProvider(base, sibling.slug, sub), await flowOf()), /invalid_grant/);
    // A code from another issuer: its iss parameter gives it away, none is refused too (RFC 9207), and with
    // this provider's iss forged, this provider does not know the code.
    const fromElsewhere = await throughProvider(base, foreign.slug, sub);
    await refusedWith(withStateOf(fromElsewhere, await flowOf()), /"iss"/);
    await refusedWith(withStateOf(fromElsewhere, await flowOf(), null), /"iss"/);
    await refusedWith(withStateOf(fromElsewhere, await flowOf(), op.issuer), /invalid_grant/);

    // ID tokens properly signed for someone else, put into this provider's token answer.
    // (The sibling and foreign tenants have no account for this person: their sign-ins are refused after the exchange.)
    const issued = async (provider: TestProvider, slug: string) => {
      const before = provider.issuedIdTokens.length;
      await visitCallback(await throughProvider(base, slug, sub));
      expect(provider.issuedIdTokens).toHaveLength(before + 1);
      return provider.issuedIdTokens.at(-1)!;
    };
    op.swapNextIdToken(await issued(op, sibling.slug));
    await refusedWith(await throughProvider(base, tenant.slug, sub), /"aud"/);
    op.swapNextIdToken(await issued(elsewhere, foreign.slug));
    await refusedWith(await throughProvider(base, tenant.slug, sub), /"iss" \(issuer\) claim/);
    // A token right in every claim (this flow's nonce too) and naming the provider's key, but signed by another key.
    const url = await throughProvider(base, tenant.slug, sub);
    const { nonce } = (await loginRow(stateOf(url)))!;
    const { kid } = decodeProtectedHeader(op.issuedIdTokens.at(-1)!);
    const { privateKey } = await generateKeyPair('RS256');
    op.swapNextIdToken(
      await new SignJWT({ nonce })
        .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
        .setIssuer(op.issuer)
        .setAudience(CLIENT.clientId)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey),
    );
    await refusedWith(url, /signature/);

    expect(await audited(tenant, 'auth.sso.sign-in')).toHaveLength(0);
    expect((await audited(tenant, 'auth.sso.sign-in-failed')).map((f) => f.detail.reason)).toEqual([
      'token-error',
      'invalid-response',
      'invalid-response',
      'token-error',
      'invalid-response',
      'invalid-response',
      'invalid-response',
    ]);
  });

  it('refuses the provider’s error answer (the person cancelled) and answers 502 when the provider cannot be reached', async () => {
    const tenant = await school();
    const state = stateOf((await start(base, tenant.slug)).href);
    const cancelled = await visitCallback(`${callback}?error=access_denied&error_description=cancelled&state=${state}&iss=${encodeURIComponent(op.issuer)}`);
    expect(cancelled.status).toBe(400);
    expect(cancelled.problem).toMatchObject({ type: 'urn:veritas:problem:sso-refused', detail: expect.stringMatching(/access_denied/) });

    const gone = await startTestProvider({ clients: [{ ...CLIENT, redirectUris: [callback] }] });
    const down = await school(gone);
    const { sub } = await linkedPerson(down, gone);
    const url = await throughProvider(base, down.slug, sub);
    await gone.close();
    const r = await visitCallback(url);
    expect(r.status).toBe(502);
    expect(r.problem?.type).toBe('urn:veritas:problem:sso-provider-unavailable');
    expect((await audited(down, 'auth.sso.sign-in-failed')).map((f) => f.detail.reason)).toEqual(['sso-provider-unavailable']);
  });
});
