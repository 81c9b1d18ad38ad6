import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, decodeProtectedHeader, base64url } from 'jose';
import { createTestDatabase, type TestDatabase } from '../../testing/test-database';
import { createAccessTokens, ACCESS_TOKEN_TTL_S, TOKEN_AUDIENCE, TOKEN_ISSUER } from './access-tokens';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const teacher = { id: 'u-1', tenant_id: 't-1', role: 'teacher' as const };

describe('access tokens', () => {
  it('issues a short-lived token with its kid that verifies to the person', async () => {
    const tokens = createAccessTokens(t.database);
    const { token, expiresIn } = await tokens.issue(teacher, 'password');
    expect(expiresIn).toBe(ACCESS_TOKEN_TTL_S);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt', kid: expect.any(String) });
    expect(await tokens.verify(token)).toEqual({ kind: 'user', userId: 'u-1', tenantId: 't-1', role: 'teacher', via: 'password', scope: { tenantId: 't-1' } });
    // Another instance on the same database verifies it too.
    expect(await createAccessTokens(t.database).verify(token)).toMatchObject({ kind: 'user', userId: 'u-1' });
  });

  it('says expired once 15 minutes have passed', async () => {
    let now = new Date('2026-01-01T10:00:00Z');
    const tokens = createAccessTokens(t.database, () => now);
    const { token } = await tokens.issue(teacher, 'oidc');
    now = new Date(now.getTime() + (ACCESS_TOKEN_TTL_S - 1) * 1000);
    expect(await tokens.verify(token)).toMatchObject({ kind: 'user', via: 'oidc' });
    now = new Date(now.getTime() + 2000);
    expect(await tokens.verify(token)).toEqual({ kind: 'anonymous', refused: 'token-expired' });
  });

  it('refuses a tampered token, alg none, an unknown kid and a token signed with another key', async () => {
    const tokens = createAccessTokens(t.database);
    const { token } = await tokens.issue(teacher, 'password');
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p)));
    const asAdmin = base64url.encode(JSON.stringify({ ...claims, role: 'admin' }));
    const refused = { kind: 'anonymous', refused: 'invalid-credential' };
    expect(await tokens.verify(`${h}.${asAdmin}.${s}`)).toEqual(refused);
    const none = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: decodeProtectedHeader(token).kid }));
    expect(await tokens.verify(`${none}.${asAdmin}.`)).toEqual(refused);
    expect(await tokens.verify(`${none}.${asAdmin}.x`)).toEqual(refused);

    const other = await generateKeyPair('EdDSA');
    const forged = (kid: string) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' }).setIssuer(TOKEN_ISSUER).setAudience(TOKEN_AUDIENCE).sign(other.privateKey);
    expect(await tokens.verify(await forged('no-such-kid'))).toEqual(refused);
    expect(await tokens.verify(await forged(decodeProtectedHeader(token).kid!))).toEqual(refused);
    // HMAC with the public key as the secret (the classic algorithm confusion) does not verify either.
    const jwk = await exportJWK(other.publicKey);
    const hs = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', kid: decodeProtectedHeader(token).kid!, typ: 'at+jwt' })
      .sign(new TextEncoder().encode(jwk.x!));
    expect(await tokens.verify(hs)).toEqual(refused);
  });

  it('rotates keys without logging anyone out, and publishes both in the JWKS until old tokens expire', async () => {
    let now = new Date('2026-02-01T10:00:00Z');
    const a = createAccessTokens(t.database, () => now);
    const b = createAccessTokens(t.database, () => now);
    const before = await a.issue(teacher, 'password');
    const newKid = await b.rotate();
    const after = await a.issue(teacher, 'password');
    // Instance a still signs with its cached key until it learns of the rotation; b signs with the new one.
    expect(decodeProtectedHeader((await b.issue(teacher, 'password')).token).kid).toBe(newKid);
    expect(await b.verify(before.token)).toMatchObject({ kind: 'user' });
    expect(await b.verify(after.token)).toMatchObject({ kind: 'user' });
    const kids = (await b.jwks()).keys.map((k) => k.kid);
    expect(kids).toContain(newKid);
    expect(kids).toContain(decodeProtectedHeader(before.token).kid);
    // Past the lifetime of the old key's last token, it is no longer published.
    now = new Date(now.getTime() + (ACCESS_TOKEN_TTL_S + 60) * 1000);
    expect((await b.jwks()).keys.map((k) => k.kid)).not.toContain(decodeProtectedHeader(before.token).kid);
  });

  it('signs with a key rotated elsewhere (another instance, the CLI) within a minute, without meeting it first', async () => {
    let now = new Date('2026-03-01T10:00:00Z');
    const running = createAccessTokens(t.database, () => now);
    await running.issue(teacher, 'password');
    const newKid = await createAccessTokens(t.database, () => now).rotate();
    now = new Date(now.getTime() + 61_000);
    expect(decodeProtectedHeader((await running.issue(teacher, 'password')).token).kid).toBe(newKid);
  });
});
