import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader, importJWK, SignJWT, type JWK } from 'jose';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { buildInstitution, recordAs, type Institution, type Recorded } from '../../testing/institution';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../auth';
import { analysisDigest, CERTIFICATE_TYP, mismatchesWith, verifyCertificate } from './certificate-check';

let t: TestApp;
let school: Institution;
let session: Recorded;

beforeAll(async () => {
  t = await createTestApp();
  school = await buildInstitution(t.app);
  session = await recordAs(t.app, school.student);
}, 60_000);
afterAll(async () => t?.close());

const db = () => t.app.services.database.db;
const get = (sessionId: string, headers: Record<string, string> = school.student.headers) =>
  t.app.inject({ method: 'GET', url: `/v1/sessions/${sessionId}/certificate`, headers });
const revoke = (sessionId: string, headers: Record<string, string>, payload: unknown = { reason: 'issued for the wrong exam' }) =>
  t.app.inject({ method: 'POST', url: `/v1/sessions/${sessionId}/certificate/revoke`, headers, payload: payload as object });
const jwks = async () => (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: JWK[] };
/**
 * The token with one character of its signature changed, ten from the end: the last character of an
 * Ed25519 signature in base64url carries 4 unused bits, so changing it may leave the same signature.
 */
const tampered = (headers: { authorization: string }) => {
  const a = headers.authorization;
  const i = a.length - 10;
  return { authorization: `${a.slice(0, i)}${a[i] === 'A' ? 'B' : 'A'}${a.slice(i + 1)}` };
};

/** Waits for the session's certificate (issued when its analysis is done) and returns it. */
async function certificateOf(sessionId: string, headers: Record<string, string> = school.student.headers) {
  await expect.poll(async () => (await get(sessionId, headers)).statusCode, { timeout: 30_000, interval: 100 }).toBe(200);
  return (await get(sessionId, headers)).json();
}

describe(`certificates (${TEST_DB})`, () => {
  it('issues a certificate when the analysis is done that names the chain head, the count, the span and the analysis digest', async () => {
    const cert = await certificateOf(session.id);
    expect(cert).toMatchObject({ sessionId: session.id, state: 'valid', revokedAt: null, revokeReason: null });
    const check = await verifyCertificate(cert.jws, await jwks());
    if (!check.ok) throw new Error(check.detail);
    const stored = await db().selectFrom('sessions').selectAll().where('id', '=', session.id).executeTakeFirstOrThrow();
    const analysis = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/analysis`, headers: school.student.headers })).json();
    expect(check.kid).toBe(cert.kid);
    expect(check.kid).toMatch(/^cert-/);
    expect(check.claims).toMatchObject({
      iss: 'veritas',
      sub: session.id,
      jti: cert.id,
      tid: school.tenant.id,
      chain: { head: stored.head_hash, events: session.eventCount, durationMs: stored.last_t },
      span: { start: stored.created_at.toISOString(), end: stored.ended_at!.toISOString() },
      analysis: { digest: await analysisDigest(analysis.analysis), version: analysis.version },
    });
    expect(cert.analysisDigest).toBe(check.claims.analysis.digest);
    // It names this session's exported bundle.
    const bundle = (await t.app.inject({ method: 'GET', url: `/v1/sessions/${session.id}/bundle`, headers: school.student.headers })).json();
    expect(await mismatchesWith(check.claims, bundle)).toEqual([]);
  });

  it('is issued once per session and analysis version, however often the analysis is told done', async () => {
    const first = await certificateOf(session.id);
    const version = first.analysisVersion;
    await t.app.services.events.publish('analysis.done', { sessionId: session.id, scope: { tenantId: school.tenant.id } as never, version });
    const again = await t.app.services.certificates.issue({ tenantId: school.tenant.id } as never, session.id, version);
    expect(again?.id).toBe(first.id);
    const rows = await db().selectFrom('certificates').select('id').where('session_id', '=', session.id).execute();
    expect(rows).toEqual([{ id: first.id }]);
    // Not for a version the stored analysis is not of, nor for a session still running.
    expect(await t.app.services.certificates.issue({ tenantId: school.tenant.id } as never, session.id, 'veritas.analysis/v0')).toBeUndefined();
    const running = await recordAs(t.app, school.student, { end: false });
    expect(await t.app.services.certificates.issue({ tenantId: school.tenant.id } as never, running.id, version)).toBeUndefined();
    const pending = await get(running.id);
    expect(pending.statusCode).toBe(202);
    expect(pending.json()).toMatchObject({ state: 'pending' });
  });

  it('is issued when first read for a session analysed without one (before certificates existed)', async () => {
    const older = await recordAs(t.app, school.student);
    const first = await certificateOf(older.id);
    await db().deleteFrom('certificates').where('session_id', '=', older.id).execute();
    const again = await get(older.id);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).not.toBe(first.id);
    expect(await verifyCertificate(again.json().jws, await jwks())).toMatchObject({ ok: true, claims: { sub: older.id } });
  });

  it("is read by the session's readers only, like its report", async () => {
    await certificateOf(session.id);
    for (const who of [school.student, school.teacher, school.admin, school.observer]) expect((await get(session.id, who.headers)).statusCode).toBe(200);
    // Another class, another institution, nobody: as an unknown session.
    for (const who of [school.otherStudent, school.otherTeacher, school.otherObserver, school.stranger])
      expect((await get(session.id, who.headers)).statusCode).toBe(404);
    expect((await get(session.id, {})).statusCode).toBe(404);
    expect((await get(session.id, tampered(school.student.headers))).statusCode).toBe(401);
    expect((await get('not a session id!', school.student.headers)).statusCode).toBe(400);
  });

  it('is revoked by an admin of its tenant with a reason, audited once, and listed publicly without its session', async () => {
    const own = await recordAs(t.app, school.student);
    const cert = await certificateOf(own.id);
    for (const who of [school.student, school.teacher, school.observer]) {
      const r = await revoke(own.id, who.headers);
      expect(r.statusCode, who.user.role).toBe(403);
    }
    expect((await revoke(own.id, school.stranger.headers)).statusCode).toBe(404);
    // Nobody at all: a tenant's session is not theirs to know of.
    expect((await revoke(own.id, {})).statusCode).toBe(404);
    expect((await revoke(own.id, tampered(school.admin.headers))).statusCode).toBe(401);
    for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(501) }, { reason: 7 }, { reason: 'ok', extra: 1 }, { reason: 'nul \u0000' }])
      expect((await revoke(own.id, school.admin.headers, body)).statusCode, JSON.stringify(body)).toBe(400);
    expect((await get(own.id)).json().state).toBe('valid');

    const first = await revoke(own.id, { ...school.admin.headers, 'x-request-id': `crt-${TEST_DB}-1` });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ id: cert.id, state: 'revoked', revokeReason: 'issued for the wrong exam' });
    const second = await revoke(own.id, { ...school.admin.headers, 'x-request-id': `crt-${TEST_DB}-2` }, { reason: 'again' });
    expect(second.json()).toEqual(first.json());
    const entries = await t.app.services.audit.search({ tenantId: school.tenant.id, action: 'certificate.revoke', resourceId: cert.id, limit: 10 });
    expect(entries.map((e) => e.request_id)).toEqual([`crt-${TEST_DB}-1`]);
    expect(entries[0]!.detail).toMatchObject({ sessionId: own.id, reason: 'issued for the wrong exam' });
    expect((await get(own.id)).json()).toMatchObject({ state: 'revoked', revokedAt: first.json().revokedAt });

    const list = await t.app.inject({ method: 'GET', url: '/v1/certificates/revoked' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toContainEqual({ id: cert.id, revokedAt: first.json().revokedAt });
    expect(list.body).not.toContain(own.id);
    // Deleting the session keeps its revocation listed: the certificate still verifies offline.
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${own.id}`, headers: school.admin.headers })).statusCode).toBeLessThan(300);
    expect((await get(own.id)).statusCode).toBe(404);
    const after = (await t.app.inject({ method: 'GET', url: '/v1/certificates/revoked' })).json();
    expect(after.items).toContainEqual({ id: cert.id, revokedAt: first.json().revokedAt });
    // A session with no certificate yet has nothing to revoke.
    const running = await recordAs(t.app, school.student, { end: false });
    expect((await revoke(running.id, school.admin.headers)).json().type).toBe('urn:veritas:problem:certificate-not-issued');
  });

  it('pages the revocation list with a cursor and refuses a malformed query', async () => {
    const revokedIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await recordAs(t.app, school.student);
      revokedIds.push((await certificateOf(s.id)).id);
      expect((await revoke(s.id, school.admin.headers)).statusCode).toBe(200);
    }
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const url: string = `/v1/certificates/revoked?limit=1${next ? `&after=${next}` : ''}`;
      const r = await t.app.inject({ method: 'GET', url });
      expect(r.statusCode, r.body).toBe(200);
      const page = r.json() as { items: { id: string }[]; next: string | null };
      seen.push(...page.items.map((i) => i.id));
      next = page.next;
    } while (next);
    expect(seen).toEqual(expect.arrayContaining(revokedIds));
    expect(new Set(seen).size).toBe(seen.length);
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'after=%20', 'after=bm90LWEtY3Vyc29y', 'other=1'])
      expect((await t.app.inject({ method: 'GET', url: `/v1/certificates/revoked?${q}` })).statusCode, q).toBe(400);
  });
});

describe(`certificate keys and access-token keys (${TEST_DB})`, () => {
  it('are published side by side with distinguishable kids', async () => {
    await certificateOf(session.id);
    const keys = (await jwks()).keys;
    const certs = keys.filter((k) => k.kid!.startsWith('cert-'));
    const tokens = keys.filter((k) => !k.kid!.startsWith('cert-'));
    expect(certs.length).toBeGreaterThan(0);
    expect(tokens.map((k) => k.kid)).toContain(decodeProtectedHeader(school.admin.token).kid);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(k).not.toHaveProperty('d');
    }
  });

  it('never lets an access-token verifier accept a certificate key, nor a certificate verifier an access-token key', async () => {
    await certificateOf(session.id);
    const certKey = await db().selectFrom('certificate_keys').selectAll().where('retired_at', 'is', null).executeTakeFirstOrThrow();
    const tokenKey = await db().selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).executeTakeFirstOrThrow();
    const now = Math.floor(Date.now() / 1000);
    // An access token for the admin, signed with the certificate key under its kid.
    const forgedToken = await new SignJWT({ tid: school.tenant.id, role: 'admin', amr: ['password'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: certKey.kid, typ: 'at+jwt' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setSubject(school.admin.user.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(await importJWK(certKey.private_jwk as JWK, 'EdDSA'));
    expect(await t.app.services.accessTokens.verify(forgedToken)).toMatchObject({ kind: 'anonymous', refused: 'invalid-credential' });
    expect((await t.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${forgedToken}` } })).statusCode).toBe(401);

    // A certificate with true claims, signed with the access-token key under its kid, checked against the whole JWKS.
    const real = await verifyCertificate((await get(session.id)).json().jws, await jwks());
    if (!real.ok) throw new Error(real.detail);
    const forgedCert = await new SignJWT({ ...real.claims })
      .setProtectedHeader({ alg: 'EdDSA', kid: tokenKey.kid, typ: CERTIFICATE_TYP })
      .sign(await importJWK(tokenKey.private_jwk as JWK, 'EdDSA'));
    expect(await verifyCertificate(forgedCert, await jwks())).toMatchObject({ ok: false, reason: 'unknown-key' });
    // Nor is an access token a certificate, though its key is in the same JWKS.
    expect(await verifyCertificate(school.admin.token, await jwks())).toMatchObject({ ok: false, reason: 'unknown-key' });
    // And under a certificate kid, with a certificate key, an access token's type is still refused.
    expect(await verifyCertificate(forgedToken, await jwks())).toMatchObject({ ok: false, reason: 'not-a-certificate' });
  });

  it('rotates: new certificates carry the new kid and old ones still verify against the published keys', async () => {
    const old = await certificateOf(session.id);
    const kid = await t.app.services.certificates.keys.rotate();
    expect(kid).not.toBe(old.kid);
    const fresh = await recordAs(t.app, school.student);
    const cert = await certificateOf(fresh.id);
    expect(cert.kid).toBe(kid);
    const published = await jwks();
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([old.kid, kid]));
    expect(await verifyCertificate(old.jws, published)).toMatchObject({ ok: true, kid: old.kid });
    expect(await verifyCertificate(cert.jws, published)).toMatchObject({ ok: true, kid });
    const retired = await db().selectFrom('certificate_keys').select('retired_at').where('kid', '=', old.kid).executeTakeFirstOrThrow();
    expect(retired.retired_at).toBeInstanceOf(Date);
  });
});
