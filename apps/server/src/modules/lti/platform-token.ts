import { AppError } from '../../kernel/errors';
import type { LtiRegistrationRow } from './lti.repository';
import type { ToolKeys } from './tool-keys';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** A token is asked again this long before it expires. */
const MARGIN_MS = 60_000;

/**
 * Access tokens for LTI Advantage services (AGS, NRPS) at a platform's token endpoint: the OAuth 2
 * client-credentials grant with a JWT client assertion (RFC 7523, the IMS Security Framework §4.1),
 * signed by Veritas's tool key (`iss` and `sub` the client id, `aud` the token endpoint, a `jti`, five
 * minutes). Tokens are kept per registration and scopes until a minute before they expire.
 */
export function createPlatformTokens({ toolKeys, clock, fetchFn = fetch }: { toolKeys: ToolKeys; clock: () => Date; fetchFn?: typeof fetch }) {
  const cache = new Map<string, { token: string; until: number }>();
  const keyOf = (registration: LtiRegistrationRow, scopes: readonly string[]) =>
    `${registration.id}\n${registration.token_endpoint}\n${[...scopes].sort().join(' ')}`;

  const platformToken = async function platformToken(registration: LtiRegistrationRow, scopes: readonly string[]): Promise<string> {
    const key = keyOf(registration, scopes);
    const now = clock();
    const known = cache.get(key);
    if (known && known.until > now.getTime()) return known.token;
    const assertion = await toolKeys.sign(
      { iss: registration.client_id, sub: registration.client_id, aud: registration.token_endpoint },
      { expiresInS: 300, now },
    );
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      scope: scopes.join(' '),
    });
    const res = await fetchFn(registration.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    }).catch((err: unknown) => {
      throw new AppError('lti-platform-unavailable', `the LMS’s token endpoint could not be reached (${(err as Error).message})`);
    });
    const answer = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!res.ok || typeof answer.access_token !== 'string')
      throw new AppError('lti-platform-unavailable', `the LMS’s token endpoint refused (${res.status} ${String(answer.error ?? '')})`.trim());
    const lifeS = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 3600;
    cache.set(key, { token: answer.access_token, until: now.getTime() + lifeS * 1000 - MARGIN_MS });
    return answer.access_token;
  };
  // A token the platform's service refused (401: expired early, or revoked) is asked again on the next call.
  return Object.assign(platformToken, {
    forget: (registration: LtiRegistrationRow, scopes: readonly string[]): void => void cache.delete(keyOf(registration, scopes)),
  });
}
export type PlatformTokens = ReturnType<typeof createPlatformTokens>;
