import * as client from 'openid-client';
import { ANONYMOUS } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { AuditService, RequestContext } from '../audit';
import type { AuthService, SignedIn } from '../auth';
import { findTenantBySlug, type TenantRow } from '../people';
import { describe, identityOf, isUnreachable, type OidcClients } from './oidc-client';
import { resolveAccount, ssoActorOf } from './sso-accounts';
import { refuse, SsoRefusal } from './sso-refusal';
import { findOidcProvider, insertOidcLogin, purgeExpiredOidcLogins, takeOidcLogin, type OidcProviderRow } from './sso.repository';

/** A sign-in in flight lasts ten minutes and works once. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;

/**
 * Where a sign-in may return: a path of this site (starts with one slash, not two, nor a backslash,
 * which browsers read as one), in printable ASCII (it becomes a Location header). Anything else: home.
 */
export function safeReturnTo(returnTo: string | undefined): string {
  return returnTo !== undefined && /^\/(?![/\\])[\x21-\x7e]*$/.test(returnTo) ? returnTo : '/';
}

export interface SsoSignInDeps {
  database: Database;
  audit: AuditService;
  auth: AuthService;
  clients: OidcClients;
  clock: () => Date;
}

/** Single sign-on per tenant with OpenID Connect: the authorization code flow with PKCE, state and nonce. */
export function createSsoSignIn({ database, audit, auth, clients, clock }: SsoSignInDeps) {
  const db = database.db;

  async function tenantOf(slug: string): Promise<TenantRow> {
    const tenant = await guard(findTenantBySlug(db, slug));
    if (!tenant) throw new AppError('not-found', `no institution "${slug}"`);
    return tenant;
  }

  /** What a sign-in page shows: the institution's name and whether it offers single sign-on. */
  async function info(slug: string): Promise<{ tenant: TenantRow; enabled: boolean }> {
    const tenant = await tenantOf(slug);
    return { tenant, enabled: (await guard(findOidcProvider(db, tenantId(tenant.id)))) !== undefined };
  }

  /** Starts a sign-in: the provider's authorization URL, with the state, nonce and PKCE verifier kept for the callback. */
  async function start(slug: string, returnTo: string | undefined, redirectUri: string): Promise<string> {
    const tenant = await tenantOf(slug);
    const id = tenantId(tenant.id);
    const provider = await guard(findOidcProvider(db, id));
    if (!provider) throw new AppError('sso-not-configured', `${tenant.name} signs in with email and password`);
    const config = await clients.configFor(id, settingsOf(provider));
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const now = clock();
    await guard(purgeExpiredOidcLogins(db, id, now));
    await guard(
      insertOidcLogin(db, {
        state,
        tenant_id: id,
        nonce,
        code_verifier: codeVerifier,
        return_to: safeReturnTo(returnTo),
        expires_at: new Date(now.getTime() + LOGIN_TTL_MS),
      }),
    );
    return client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: provider.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).href;
  }

  /**
   * Ends a sign-in at the provider's redirect: takes the flow its state names (once), exchanges the
   * code with the verifier, checks the ID token, finds the account of the flow's tenant, signs it in.
   * Every refusal of a known flow is audited in its tenant.
   */
  async function callback(query: URLSearchParams, redirectUri: string, context: RequestContext): Promise<{ signedIn: SignedIn; returnTo: string }> {
    const state = query.get('state');
    // An unknown state proves nothing about anyone (anyone can send one): refused, not audited.
    const login = state ? await guard(takeOidcLogin(db, state)) : undefined;
    if (!state || !login)
      throw new AppError('sso-state-invalid', 'this sign-in is unknown or was already used: start signing in again from your institution’s sign-in page');
    const tenant = tenantId(login.tenant_id);
    let seen: { issuer?: string; sub?: string } = {};
    try {
      if (login.expires_at <= clock()) refuse('sso-state-invalid', 'expired', 'this sign-in took longer than 10 minutes: start signing in again');
      const provider = await guard(findOidcProvider(db, tenant));
      if (!provider) refuse('sso-not-configured', 'not-configured', 'your institution no longer offers single sign-on');
      seen = { issuer: provider.issuer };
      const identity = await identify(provider, query, redirectUri, { state, nonce: login.nonce, codeVerifier: login.code_verifier });
      seen = { issuer: identity.issuer, sub: identity.sub };
      const user = await resolveAccount({ database, audit }, tenant, provider, identity, context);
      const signedIn = await auth.signIn(user, 'oidc', context);
      await audit.record({
        tenantId: tenant,
        actor: ssoActorOf(user),
        action: 'auth.sso.sign-in',
        resource: { type: 'user', id: user.id },
        context,
        detail: { issuer: identity.issuer, sub: identity.sub },
      });
      return { signedIn, returnTo: safeReturnTo(login.return_to ?? undefined) };
    } catch (err) {
      const reason = err instanceof SsoRefusal ? err.reason : err instanceof AppError ? err.code : 'internal';
      await audit
        .record({
          tenantId: tenant,
          actor: ANONYMOUS,
          action: 'auth.sso.sign-in-failed',
          resource: { type: 'user', id: null },
          context,
          detail: { reason, ...seen },
        })
        .catch(() => undefined);
      throw err;
    }
  }

  /** The code exchange and the ID token's checks (openid-client's), then the claims completed from userinfo. */
  async function identify(
    provider: OidcProviderRow,
    query: URLSearchParams,
    redirectUri: string,
    checks: { state: string; nonce: string; codeVerifier: string },
  ) {
    const config = await clients.configFor(provider.tenant_id, settingsOf(provider));
    // The provider redirected to our registered URI: that is the URL the exchange names, whatever Host the request carried.
    const currentUrl = new URL(redirectUri);
    for (const [k, v] of query) currentUrl.searchParams.append(k, v);
    const tokens = await client
      .authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      })
      .catch((err: unknown) => {
        if (isUnreachable(err))
          throw new AppError('sso-provider-unavailable', 'your institution’s identity provider did not answer; start signing in again later');
        const reason =
          err instanceof client.AuthorizationResponseError ? 'provider-error' : err instanceof client.ResponseBodyError ? 'token-error' : 'invalid-response';
        return refuse('sso-refused', reason, `the identity provider’s answer was refused (${describe(err)}): start signing in again`);
      });
    const claims = tokens.claims();
    // openid-client checked the issuer against the discovered one; the tenant's configured issuer is the one that counts.
    if (!claims || claims.iss !== provider.issuer) refuse('sso-refused', 'issuer-mismatch', 'the ID token was not issued by your institution’s provider');
    const userinfo = needsUserinfo(claims) ? await fetchUserinfo(config, tokens.access_token, claims.sub) : {};
    const identity = identityOf(provider.issuer, claims, userinfo);
    if (!identity) refuse('sso-refused', 'invalid-subject', 'the ID token names no usable subject');
    return identity;
  }

  return { info, start, callback };
}
export type SsoSignIn = ReturnType<typeof createSsoSignIn>;

const settingsOf = (p: OidcProviderRow) => ({ issuer: p.issuer, clientId: p.client_id, clientSecret: p.client_secret });

/** Providers that keep the ID token lean (the scope's claims at userinfo only) are asked for the address and name there. */
const needsUserinfo = (claims: client.IDToken) => claims.email === undefined || (claims.name === undefined && claims.given_name === undefined);

/** The userinfo claims for the same subject (openid-client checks it), or none: the ID token alone still identifies the person. */
async function fetchUserinfo(config: client.Configuration, accessToken: string, sub: string): Promise<Record<string, unknown>> {
  if (!config.serverMetadata().userinfo_endpoint || !accessToken) return {};
  return client.fetchUserInfo(config, accessToken, sub).catch(() => ({}));
}
