import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { isStorableText } from '@veritas/schema';
import { AppError } from '../../kernel/errors';

/**
 * The relying party's side of OpenID Connect, through openid-client: discovery, the authorization
 * URL, the code exchange with its checks (state, iss, PKCE verifier, the ID token's issuer, audience,
 * nonce, and its signature against the provider's JWKS: enableNonRepudiationChecks) and userinfo.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Discovery when an admin saves: short, they are waiting. */
export const SAVE_TIMEOUT_S = 5;
/** Requests during a sign-in. */
const SIGN_IN_TIMEOUT_S = 10;
/** A provider's discovered configuration (and the keys it caches) is reused this long. */
const CONFIG_TTL_MS = 10 * 60 * 1000;

/** An issuer a tenant may configure: https, or plain http on this machine (a development provider). */
export function issuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AppError('sso-issuer-invalid', 'the issuer is not a URL');
  }
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !local)
    throw new AppError('sso-issuer-invalid', 'the issuer must be an https URL (plain http only on localhost or 127.0.0.1)');
  if (url.username || url.password || url.search || url.hash)
    throw new AppError('sso-issuer-invalid', 'the issuer URL carries no credentials, query or fragment');
  return url;
}

/** Whether an error is the network's (refused, unresolved, timed out) rather than the provider's answer. */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof TypeError) return /fetch failed|network/i.test(err.message);
  return err instanceof client.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT');
}

/** A kept-alive connection the other side had closed: the request never reached it, so sending it again is safe. */
function wasReset(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return err instanceof TypeError && (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET');
}

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
}

/**
 * Discovers a provider and makes its client configuration. Client authentication: none without a
 * secret (PKCE alone), else the secret by HTTP Basic (the OpenID default) unless the provider only
 * takes it in the body. Throws what the caller maps (isUnreachable, or the provider's answer).
 */
export async function discover({ issuer, clientId, clientSecret }: ProviderSettings, timeout: number): Promise<client.Configuration> {
  const url = issuerUrl(issuer);
  const insecure = url.protocol === 'http:';
  // Plain http only for loopback issuers (issuerUrl); openid-client marks this as deprecated to make it stand out.
  const execute = insecure ? [client.allowInsecureRequests] : [];
  const discoverOnce = () => client.discovery(url, clientId, undefined, client.None(), { execute, timeout });
  // Discovery is an idempotent GET: a connection the provider closed while it sat idle in the pool
  // (ECONNRESET on reuse) is retried once on a fresh one before the provider counts as unreachable.
  const found = await discoverOnce().catch((err: unknown) => {
    if (wasReset(err)) return discoverOnce();
    throw err;
  });
  const meta = found.serverMetadata();
  const methods = meta.token_endpoint_auth_methods_supported;
  const auth = !clientSecret
    ? client.None()
    : methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
      ? client.ClientSecretPost(clientSecret)
      : client.ClientSecretBasic(clientSecret);
  const config = new client.Configuration(meta, clientId, clientSecret ? { client_secret: clientSecret } : undefined, auth);
  if (insecure) client.allowInsecureRequests(config);
  // openid-client trusts an ID token from the token endpoint on TLS alone; we check its signature
  // against the provider's JWKS too (a development provider has no TLS, and the log proves more).
  client.enableNonRepudiationChecks(config);
  config.timeout = timeout;
  return config;
}

/** What an issuer's discovery document must offer for the authorization code flow; why not, else. */
export function unsuitable(config: client.Configuration): string | undefined {
  const meta = config.serverMetadata();
  if (!meta.authorization_endpoint || !meta.token_endpoint || !meta.jwks_uri) return 'its discovery document lacks an authorization, token or JWKS endpoint';
  if (meta.response_types_supported && !meta.response_types_supported.includes('code')) return 'it does not offer the authorization code flow';
  if (meta.code_challenge_methods_supported && !meta.code_challenge_methods_supported.includes('S256')) return 'it does not support PKCE with S256';
  return undefined;
}

/** Discovered configurations by tenant and settings, so a sign-in does not rediscover (nor refetch the keys) each time. */
export function createOidcClients(clock: () => number = Date.now) {
  const cache = new Map<string, { at: number; config: Promise<client.Configuration> }>();
  const keyOf = (tenantId: string, s: ProviderSettings) =>
    [
      tenantId,
      s.issuer,
      s.clientId,
      createHash('sha256')
        .update(s.clientSecret ?? '')
        .digest('hex'),
    ].join('\n');

  return {
    /** The provider's configuration for a sign-in; `sso-provider-unavailable` when it cannot be reached or no longer answers as one. */
    async configFor(tenantId: string, settings: ProviderSettings): Promise<client.Configuration> {
      const key = keyOf(tenantId, settings);
      const hit = cache.get(key);
      if (hit && clock() - hit.at < CONFIG_TTL_MS) return hit.config;
      const config = discover(settings, SIGN_IN_TIMEOUT_S);
      cache.set(key, { at: clock(), config });
      try {
        return await config;
      } catch (err) {
        cache.delete(key);
        if (err instanceof AppError) throw err;
        throw new AppError('sso-provider-unavailable', `the institution’s identity provider did not answer its discovery (${describe(err)}); retry later`);
      }
    },
    /** Drops a tenant's cached configurations (its settings changed or went). */
    forget(tenantId: string): void {
      for (const key of cache.keys()) if (key.startsWith(`${tenantId}\n`)) cache.delete(key);
    },
  };
}
export type OidcClients = ReturnType<typeof createOidcClients>;

/** A short, secret-free description of an openid-client failure (its messages name claims and codes, never tokens). */
export function describe(err: unknown): string {
  if (err instanceof client.AuthorizationResponseError || err instanceof client.ResponseBodyError) {
    return `${err.error}${err.error_description ? `: ${err.error_description.slice(0, 200)}` : ''}`;
  }
  if (isUnreachable(err)) return 'unreachable';
  if (err instanceof client.ClientError) {
    // openid-client's own message is generic ("invalid response encountered"); its cause names the check that failed.
    const cause = err.cause instanceof Error && err.cause.message !== err.message ? `: ${err.cause.message.slice(0, 200)}` : '';
    return `${err.message}${cause}`;
  }
  return 'unexpected failure';
}

export interface Identity {
  issuer: string;
  sub: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
}

/** A claim as text a person's record can hold: a string, without NUL or lone surrogates, trimmed, within `max`. */
function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const clean = value.trim();
  return clean && clean.length <= max && isStorableText(clean) ? clean : undefined;
}

/** Who the provider says signed in: the ID token's claims, completed from userinfo (which must name the same subject). */
export function identityOf(issuer: string, idToken: Record<string, unknown>, userinfo: Record<string, unknown> = {}): Identity | undefined {
  const sub = text(idToken.sub, 255);
  if (!sub || sub !== idToken.sub) return undefined;
  const pick = (claim: string) => (idToken[claim] !== undefined ? idToken[claim] : userinfo[claim]);
  const email = text(pick('email'), 254);
  const verified = pick('email_verified');
  const name =
    text(pick('name'), 200) ??
    text([pick('given_name'), pick('family_name')].filter((p) => typeof p === 'string').join(' '), 200) ??
    text(pick('preferred_username'), 200);
  return {
    issuer,
    sub,
    ...(email && email.includes('@') ? { email } : {}),
    // Some providers send the boolean as a string.
    emailVerified: verified === true || verified === 'true',
    ...(name ? { name } : {}),
  };
}
