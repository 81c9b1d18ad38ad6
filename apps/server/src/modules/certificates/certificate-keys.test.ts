import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../../testing/test-app';
import { TEST_DB } from '../../testing/test-database';
import { certificateKid, CertificateKeyFileError, createCertificateKeys, newCertificateJwk, readCertificateKeyFile } from './certificate-keys';

let dir: string;
let t: TestApp;
let keyFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-cert-keys-'));
  keyFile = join(dir, 'certificate-key.json');
  await writeFile(keyFile, JSON.stringify(await newCertificateJwk()), { mode: 0o600 });
  t = await createTestApp({ certificateKeyFile: keyFile });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe(`certificate keys from VERITAS_CERTIFICATE_KEY_FILE (${TEST_DB})`, () => {
  it('signs with the file’s key under its thumbprint kid and keeps only its public part in the database', async () => {
    const jwk = readCertificateKeyFile(keyFile);
    const { kid } = await t.app.services.certificates.keys.signing();
    expect(kid).toBe(await certificateKid(jwk));
    const row = await t.app.services.database.db.selectFrom('certificate_keys').selectAll().where('kid', '=', kid).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: 'file', private_jwk: null, retired_at: null });
    expect(JSON.stringify(row)).not.toContain(jwk.d);
    const published = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys;
    expect(published).toContainEqual(expect.objectContaining({ kid, x: jwk.x }));
    expect(JSON.stringify(published)).not.toContain(jwk.d);
  });

  it('is rotated by replacing the file: the old key is retired and stays published; the command refuses', async () => {
    const before = await t.app.services.certificates.keys.signing();
    await expect(t.app.services.certificates.keys.rotate()).rejects.toThrow(/put a new key in that file and restart/);
    // What a restart with a new file does: another process reads it.
    const next = join(dir, 'next-key.json');
    await writeFile(next, JSON.stringify(await newCertificateJwk()));
    const restarted = createCertificateKeys(t.app.services.database, { keyFile: next });
    const after = await restarted.signing();
    expect(after.kid).not.toBe(before.kid);
    const kids = (await restarted.jwks()).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([before.kid, after.kid]));
    const old = await t.app.services.database.db.selectFrom('certificate_keys').select('retired_at').where('kid', '=', before.kid).executeTakeFirstOrThrow();
    expect(old.retired_at).toBeInstanceOf(Date);
  });

  it('stops the server at once with a clear message when the file is missing, not JSON, or not a private Ed25519 JWK', async () => {
    const write = async (name: string, text: string) => {
      const f = join(dir, name);
      await writeFile(f, text);
      return f;
    };
    const pub = { ...(await newCertificateJwk()), d: undefined };
    for (const [file, message] of [
      [join(dir, 'missing.json'), /cannot read .*missing\.json \(ENOENT\)/],
      [await write('not-json.json', 'kty=OKP'), /is not JSON/],
      [await write('public.json', JSON.stringify(pub)), /must hold one private Ed25519 JWK/],
      [await write('rsa.json', JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y' })), /must hold one private Ed25519 JWK/],
    ] as const) {
      expect(() => createCertificateKeys(t.app.services.database, { keyFile: file })).toThrow(CertificateKeyFileError);
      expect(() => createCertificateKeys(t.app.services.database, { keyFile: file })).toThrow(message);
    }
  });
});
