import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { activeToolKeys, insertFirstToolKey } from './lti.repository';

/** LTI 1.3 asks RS256 of both sides (the IMS Security Framework). */
export const LTI_ALG = 'RS256';

interface ToolKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/**
 * Veritas's keys as an LTI tool: one active RS256 key, made on first need and kept in the database
 * so every instance signs with it and `/v1/lti/jwks` publishes it. It signs the JWT client assertions
 * Veritas sends to a platform's token endpoint (and, later, deep-linking answers).
 */
export function createToolKeys(database: Database) {
  let loading: Promise<ToolKey[]> | undefined;

  async function load(): Promise<ToolKey[]> {
    const rows = await activeToolKeys(database.db).catch(rethrowUnavailable);
    const keys: ToolKey[] = [];
    for (const row of rows)
      keys.push({
        kid: row.kid,
        privateKey: (await importJWK(row.private_jwk as JWK, LTI_ALG)) as CryptoKey,
        publicJwk: { ...(row.public_jwk as JWK), kid: row.kid, alg: LTI_ALG, use: 'sig' },
      });
    return keys;
  }

  let creating: Promise<ToolKey[]> | undefined;

  /**
   * The first key, made once however many callers need it at the same moment (the token request and
   * the platform's JWKS fetch it sets off), in this process and across instances: the insert happens
   * under a transaction-scoped advisory lock and only if no active key exists by then, so a second
   * instance that also found none waits, then reads the first one's key instead of adding its own
   * (each instance keeps the keys it read, and the LMS may fetch the JWKS from either).
   */
  async function create(): Promise<ToolKey[]> {
    const { privateKey, publicKey } = await generateKeyPair(LTI_ALG, { extractable: true, modulusLength: 2048 });
    const key = { kid: randomUUID(), privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
    await insertFirstToolKey(database.db, key).catch(rethrowUnavailable);
    loading = load();
    return loading;
  }

  async function keys(): Promise<ToolKey[]> {
    for (;;) {
      const current = (loading ??= load().catch((err: unknown) => {
        loading = undefined;
        throw err;
      }));
      const known = await current;
      if (known.length > 0) return known;
      if (current !== loading) continue; // a key was made while this read: read what is kept now
      // Two callers making a key each signed with one and published the other (a platform then refused
      // the assertion: "no applicable key"): one creation at a time in this process.
      return (creating ??= create().finally(() => (creating = undefined)));
    }
  }

  return {
    /** The public keys, as a JWK Set. */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: (await keys()).map((k) => k.publicJwk) };
    },
    /** Signs claims with the newest active key (its kid in the header). */
    async sign(claims: JWTPayload, options: { expiresInS: number; now: Date }): Promise<string> {
      const [key] = await keys();
      const iat = Math.floor(options.now.getTime() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: LTI_ALG, kid: key!.kid, typ: 'JWT' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + options.expiresInS)
        .setJti(randomUUID())
        .sign(key!.privateKey);
    },
  };
}
export type ToolKeys = ReturnType<typeof createToolKeys>;
