import { createHmac, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import type { App } from '../http/app';
import { createAccessTokens, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../modules/auth';
import type { UserRow } from '../modules/people';

/** Access tokens that must not hold, each for a real person of the database: what an attacker would send. */
export interface ForgedTokens {
  /** Signed with the server's own active key, but issued an hour ago (so expired 45 minutes ago). */
  expired: string;
  /** Signed with another Ed25519 key, under the real key's kid. */
  otherKey: string;
  /** `alg: none`, no signature (the usual shape: a trailing dot). */
  algNone: string;
  /** `alg: none` with some bytes where the signature goes, so it has a JWT's shape. */
  algNoneSigned: string;
  /** Signed with another key, under a kid the server never issued. */
  unknownKid: string;
  /** HS256 with the server's public key (JWK JSON) as the HMAC secret: the classic key-confusion attack. */
  hs256PublicKey: string;
}

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function forgeTokens(app: App, user: UserRow, validToken: string): Promise<ForgedTokens> {
  const { kid } = decodeProtectedHeader(validToken);
  if (!kid) throw new Error('a valid token carries a kid');
  const now = Math.floor(Date.now() / 1000);
  const claims = { tid: user.tenant_id, role: user.role, amr: ['password'] };
  const sign = async (alg: 'EdDSA', header: Record<string, string>) => {
    const { privateKey } = await generateKeyPair(alg);
    return new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'at+jwt', ...header })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setJti(randomUUID())
      .sign(privateKey);
  };
  // The server's own signer, with a clock an hour behind: the database's active key, an expired token.
  const past = createAccessTokens(app.services.database, () => new Date(Date.now() - 3600_000));
  const expired = (await past.issue(user, 'password')).token;
  const payload = b64({ ...claims, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sub: user.id, iat: now, exp: now + 600, jti: randomUUID() });
  const noneHead = b64({ alg: 'none', typ: 'at+jwt', kid });
  const publicJwk = (await app.services.accessTokens.jwks()).keys.find((k) => k.kid === kid);
  const hsHead = b64({ alg: 'HS256', typ: 'at+jwt', kid });
  const hsSig = createHmac('sha256', JSON.stringify(publicJwk)).update(`${hsHead}.${payload}`).digest('base64url');
  return {
    expired,
    otherKey: await sign('EdDSA', { kid }),
    algNone: `${noneHead}.${payload}.`,
    algNoneSigned: `${noneHead}.${payload}.AAAA`,
    unknownKid: await sign('EdDSA', { kid: randomUUID() }),
    hs256PublicKey: `${hsHead}.${payload}.${hsSig}`,
  };
}
