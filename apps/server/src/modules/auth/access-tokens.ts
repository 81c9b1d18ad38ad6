import { randomUUID } from 'node:crypto';
import { errors as joseErrors, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ROLES, type AnonymousActor, type AuthMethod, type Role, type UserActor } from '../../kernel/actor';
import { tenantId, tenantScope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { insertSigningKey, liveSigningKeys, retireSigningKeysExcept } from './signing-keys.repository';

/** Access tokens live 15 minutes: short enough that a role change or a disabled account takes effect soon without a lookup per request. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const TOKEN_ISSUER = 'veritas';
export const TOKEN_AUDIENCE = 'veritas-api';
const ALG = 'EdDSA';
/** An unknown kid makes us re-read the keys (another instance may have rotated), at most this often. */
const RELOAD_EVERY_MS = 1000;
/**
 * Verified tokens are remembered until they expire: an Ed25519 verification costs 0.15–0.3 ms here, a
 * sizeable share of a small request, and a client sends the same token for 15 minutes. Keyed by the
 * whole token, so only the very bytes that verified hit; bounded, oldest first out.
 */
const MAX_REMEMBERED = 20_000;
/** Keys are re-read at least this often, so a rotation made elsewhere (`veritas auth rotate-keys`) is signed with within a minute. */
const STALE_AFTER_MS = 60_000;

export interface TokenSubject {
  id: string;
  tenant_id: string;
  role: Role;
}

export interface AccessTokens {
  /** A signed access token for a person, with the key id in its header (and the sign-in it belongs to as `sid`, when given). */
  issue(user: TokenSubject, via: AuthMethod, signInId?: string): Promise<{ token: string; expiresIn: number }>;
  /** The person a token names, or anonymous with why it did not hold (expired, or anything else). */
  verify(token: string): Promise<UserActor | AnonymousActor>;
  /** Makes a new signing key and retires the others; tokens they signed stay valid until they expire. Returns the new kid. */
  rotate(): Promise<string>;
  /** The public keys that verify live tokens (JWKS). */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * A short-lived signed grant for another audience (a download link), at most ACCESS_TOKEN_TTL_S:
   * signed with the same keys, typed `grant+jwt`, so it never passes for an access token nor one for it.
   */
  signGrant(audience: string, claims: Record<string, string | number | boolean | null>, ttlS: number): Promise<string>;
  /** The claims of a grant for `audience`, or why it does not hold. */
  verifyGrant(audience: string, token: string): Promise<Record<string, unknown> | 'expired' | 'invalid'>;
}

const GRANT_TYP = 'grant+jwt';

interface KnownKey {
  kid: string;
  privateKey?: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
  active: boolean;
}

const EXPIRED: AnonymousActor = Object.freeze({ kind: 'anonymous', refused: 'token-expired' });
const INVALID: AnonymousActor = Object.freeze({ kind: 'anonymous', refused: 'invalid-credential' });

/**
 * Ed25519-signed JWTs (jose), keys kept in the database so every instance verifies every instance's
 * tokens; rotation adds a key and retires the old one without logging anyone out.
 */
export function createAccessTokens(database: Database, clock: () => Date = () => new Date()): AccessTokens {
  let keys: KnownKey[] | undefined;
  const verified = new Map<string, { actor: UserActor; exp: number }>();
  let loadedAt = 0;
  let loadedAtClock = 0;
  let loading: Promise<KnownKey[]> | undefined;

  async function load(): Promise<KnownKey[]> {
    const since = new Date(clock().getTime() - ACCESS_TOKEN_TTL_S * 1000);
    const rows = await liveSigningKeys(database.db, since).catch(rethrowUnavailable);
    const loaded: KnownKey[] = [];
    for (const row of rows) {
      if (row.alg !== ALG) continue;
      const publicJwk = { ...(row.public_jwk as JWK), kid: row.kid, alg: ALG, use: 'sig' };
      loaded.push({
        kid: row.kid,
        active: row.retired_at === null,
        publicKey: (await importJWK(row.public_jwk as JWK, ALG)) as CryptoKey,
        ...(row.retired_at === null ? { privateKey: (await importJWK(row.private_jwk as JWK, ALG)) as CryptoKey } : {}),
        publicJwk,
      });
    }
    keys = loaded;
    loadedAt = Date.now();
    loadedAtClock = clock().getTime();
    return loaded;
  }

  function reload(): Promise<KnownKey[]> {
    loading ??= load().finally(() => (loading = undefined));
    return loading;
  }

  async function current(): Promise<KnownKey[]> {
    if (!keys) return reload();
    if (clock().getTime() - loadedAtClock < STALE_AFTER_MS) return keys;
    // A failed re-read keeps the keys we have: a database outage does not stop verifying tokens.
    const known = keys;
    return reload().catch(() => known);
  }

  async function createKey(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    await insertSigningKey(database.db, { kid, alg: ALG, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) }).catch(
      rethrowUnavailable,
    );
    return kid;
  }

  async function signingKey(): Promise<KnownKey> {
    let active = (await current()).find((k) => k.active);
    if (!active) {
      await createKey();
      active = (await reload()).find((k) => k.active);
    }
    if (!active) throw new Error('no active signing key after creating one');
    return active;
  }

  async function keyFor(kid: string): Promise<KnownKey | undefined> {
    const known = (await current()).find((k) => k.kid === kid);
    if (known || Date.now() - loadedAt < RELOAD_EVERY_MS) return known;
    return (await reload()).find((k) => k.kid === kid);
  }

  return {
    async issue(user, via, signInId) {
      const key = await signingKey();
      const now = Math.floor(clock().getTime() / 1000);
      const token = await new SignJWT({ tid: user.tenant_id, role: user.role, amr: [via], ...(signInId ? { sid: signInId } : {}) })
        .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'at+jwt' })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setSubject(user.id)
        .setIssuedAt(now)
        .setExpirationTime(now + ACCESS_TOKEN_TTL_S)
        .setJti(randomUUID())
        .sign(key.privateKey!);
      return { token, expiresIn: ACCESS_TOKEN_TTL_S };
    },

    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.exp * 1000 > clock().getTime()) return known.actor;
        verified.delete(token);
        return EXPIRED;
      }
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            const key = typeof header.kid === 'string' ? await keyFor(header.kid) : undefined;
            if (!key) throw new joseErrors.JWKSNoMatchingKey();
            return key.publicKey;
          },
          // Only our algorithm: `alg: none` and HMAC tokens never verify.
          { algorithms: [ALG], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, typ: 'at+jwt', currentDate: clock(), requiredClaims: ['sub', 'exp', 'iat'] },
        );
        const role = payload.role;
        const tid = payload.tid;
        const via = Array.isArray(payload.amr) ? payload.amr[0] : undefined;
        if (typeof tid !== 'string' || tid === '' || !(ROLES as readonly unknown[]).includes(role) || (via !== 'password' && via !== 'oidc' && via !== 'lti'))
          return INVALID;
        const sid = typeof payload.sid === 'string' && payload.sid !== '' ? { signInId: payload.sid } : {};
        const actor: UserActor = { kind: 'user', userId: payload.sub!, tenantId: tenantId(tid), role: role as Role, via, scope: tenantScope(tid), ...sid };
        if (verified.size >= MAX_REMEMBERED) verified.delete(verified.keys().next().value!);
        verified.set(token, { actor, exp: payload.exp! });
        return actor;
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) return EXPIRED;
        if (err instanceof joseErrors.JOSEError) return INVALID;
        throw err; // the database is down (a 503), not a bad token
      }
    },

    async rotate() {
      const kid = await createKey();
      await retireSigningKeysExcept(database.db, kid, clock()).catch(rethrowUnavailable);
      await reload();
      return kid;
    },

    async jwks() {
      return { keys: (await reload()).map((k) => k.publicJwk) };
    },

    async signGrant(audience, claims, ttlS) {
      // Keys retired for longer than an access token lives are no longer loaded: a grant lives no longer.
      if (!(ttlS > 0 && ttlS <= ACCESS_TOKEN_TTL_S)) throw new RangeError(`a grant lives 1 to ${ACCESS_TOKEN_TTL_S} s, not ${ttlS}`);
      const key = await signingKey();
      const now = Math.floor(clock().getTime() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: ALG, kid: key.kid, typ: GRANT_TYP })
        .setIssuer(TOKEN_ISSUER)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlS)
        .setJti(randomUUID())
        .sign(key.privateKey!);
    },

    async verifyGrant(audience, token) {
      try {
        const { payload } = await jwtVerify(
          token,
          async (header) => {
            const key = typeof header.kid === 'string' ? await keyFor(header.kid) : undefined;
            if (!key) throw new joseErrors.JWKSNoMatchingKey();
            return key.publicKey;
          },
          { algorithms: [ALG], issuer: TOKEN_ISSUER, audience, typ: GRANT_TYP, currentDate: clock(), requiredClaims: ['exp', 'iat', 'jti'] },
        );
        return payload as Record<string, unknown>;
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) return 'expired';
        if (err instanceof joseErrors.JOSEError) return 'invalid';
        throw err;
      }
    },
  };
}
