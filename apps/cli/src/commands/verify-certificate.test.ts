import { printed } from '../testing/printed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { BUNDLE_FORMAT, genesisHash, sealBatch, type VeritasEvent } from '@veritas/schema';
import { buildApp, loadConfig, migrateToLatest, openDatabase, startRole, type App } from '@veritas/server';
import { verify } from './verify';

/**
 * `veritas verify --certificate --jwks` against what a real server issued: a bundle uploaded to an
 * embedded server, analysed, certified; its bundle, certificate, JWKS and analysis saved as files.
 */
let dir: string;
let app: App;
let close: () => Promise<void>;
const files = { bundle: '', cert: '', jwks: '', analysis: '' };
let bundleText = '';
let jws = '';

const ID = 'certifiedBundle000001';
const typing = (text: string): VeritasEvent[] =>
  [...text].map((ch, i) => ({ seq: i, t: i * 120, type: 'text.op', data: { pos: i, del: 0, ins: ch, cause: 'type' } }));

async function bundleOf(events: VeritasEvent[]) {
  let prev = await genesisHash(ID);
  const batches = [];
  for (let i = 0; i < events.length; i += 10) {
    const b = await sealBatch(events.slice(i, i + 10), prev);
    batches.push(b);
    prev = b.hash;
  }
  return { format: BUNDLE_FORMAT, session: { id: ID, kind: 'writing', createdAt: '2026-03-01T09:00:00.000Z', endedAt: '2026-03-01T09:30:00.000Z' }, batches };
}

const at = (name: string) => join(dir, name);
async function put(name: string, content: string) {
  await writeFile(at(name), content);
  return at(name);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-verify-cert-'));
  const config = loadConfig({}, { dataDir: join(dir, 'data'), logLevel: 'silent' });
  const { database, unlock } = await openDatabase(config);
  await migrateToLatest(database.db);
  app = await buildApp({ config, database, logger: false });
  await startRole(app, config);
  await app.ready();
  close = async () => {
    await app.close();
    await database.close();
    unlock();
  };
  const uploaded = await app.inject({ method: 'POST', url: '/v1/bundles', payload: await bundleOf(typing('An essay written word by word, with care.')) });
  expect(uploaded.statusCode, uploaded.body).toBeLessThan(300);
  // Issued when the analysis job has run: wait for it (a condition, checked every 100 ms).
  const deadline = Date.now() + 120_000;
  while ((await app.inject({ method: 'GET', url: `/v1/sessions/${ID}/certificate` })).statusCode !== 200) {
    if (Date.now() > deadline) throw new Error('no certificate after 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  jws = (await app.inject({ method: 'GET', url: `/v1/sessions/${ID}/certificate` })).json().jws;
  bundleText = (await app.inject({ method: 'GET', url: `/v1/sessions/${ID}/bundle` })).body;
  files.bundle = await put('bundle.json', bundleText);
  files.cert = await put('cert.jws', `${jws}\n`);
  files.jwks = await put('jwks.json', (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).body);
  files.analysis = await put('analysis.json', (await app.inject({ method: 'GET', url: `/v1/sessions/${ID}/analysis` })).body);
}, 90_000);
afterAll(async () => {
  await close?.();
  await rm(dir, { recursive: true, force: true });
});

async function run(values: Record<string, string>, path = files.bundle) {
  return printed(() => verify.run({ values, positionals: [path] }));
}

describe('veritas verify --certificate --jwks', () => {
  it('passes the bundle, certificate, key set and analysis the server gave, offline', async () => {
    const r = await run({ certificate: files.cert, jwks: files.jwks, analysis: files.analysis });
    expect(r.code, r.text).toBe(0);
    expect(r.text).toMatch(/chain intact/);
    expect(r.text).toContain(`signed by ${decodeProtectedHeader(jws).kid}`);
    expect(r.text).toMatch(/names this chain head, 41 events/);
    expect(r.text).toMatch(/analysis \S+ matches its digest/);
    expect(r.text).toMatch(/revocation not checked/);
    // The analysis result alone (not the server's answer around it) is the same digest.
    const bare = await put('result.json', JSON.stringify(JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(files.analysis, 'utf8'))).analysis));
    expect((await run({ certificate: files.cert, jwks: files.jwks, analysis: bare })).code).toBe(0);
  });

  it('fails a bundle altered by one character', async () => {
    const altered = bundleText.replace('"ins":"w"', '"ins":"W"');
    expect(altered).not.toBe(bundleText);
    const r = await run({ certificate: files.cert, jwks: files.jwks }, await put('altered.json', altered));
    expect(r).toMatchObject({ code: 1, text: expect.stringMatching(/^chain broken: hash-mismatch/) });
    // One character of the session's start: the chain holds, the certificate does not name it.
    const moved = bundleText.replace('2026-03-01T09:00:00.000Z', '2026-03-01T08:00:00.000Z');
    expect(moved).not.toBe(bundleText);
    const m = await run({ certificate: files.cert, jwks: files.jwks }, await put('moved.json', moved));
    expect(m).toMatchObject({ code: 1, text: expect.stringContaining('certificate does not name this bundle: it names a start at') });
  });

  it('fails a certificate signed by another key, under its kid or another, and a certificate altered by one character', async () => {
    const claims = decodeJwt(jws);
    const { privateKey } = await generateKeyPair('EdDSA');
    const resign = (kid: string) => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid, typ: 'veritas-certificate+jwt' }).sign(privateKey);
    const sameKid = await run({ certificate: await put('same-kid.jws', await resign(decodeProtectedHeader(jws).kid!)), jwks: files.jwks });
    expect(sameKid).toMatchObject({ code: 1, text: 'certificate refused: its signature does not match its key' });
    const otherKid = await run({ certificate: await put('other-kid.jws', await resign('cert-someone-else')), jwks: files.jwks });
    expect(otherKid).toMatchObject({ code: 1, text: expect.stringContaining('not a certificate key of this key set') });
    const [h, p, s] = jws.split('.');
    const flipped = `${h}.${p}.${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
    expect((await run({ certificate: await put('flipped.jws', flipped), jwks: files.jwks })).code).toBe(1);
    expect((await run({ certificate: await put('junk.jws', 'not a certificate'), jwks: files.jwks })).text).toMatch(
      /certificate refused: it is not a compact JWS/,
    );
  });

  it('fails an analysis that is not the one certified, and a certificate of another session', async () => {
    const analysis = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(files.analysis, 'utf8')));
    analysis.analysis.flags = [];
    analysis.analysis.notes = [...(analysis.analysis.notes ?? []), 'edited'];
    const r = await run({ certificate: files.cert, jwks: files.jwks, analysis: await put('edited-analysis.json', JSON.stringify(analysis)) });
    expect(r).toMatchObject({ code: 1, text: expect.stringContaining('certificate does not name this analysis') });
    const other = await bundleOf(typing('Another essay entirely.'));
    const o = await run({ certificate: files.cert, jwks: files.jwks }, await put('other.json', JSON.stringify(other)));
    expect(o.code).toBe(1);
    expect(o.text).toContain(`certificate does not name this bundle: it names chain head`);
  });

  it('fails a revoked certificate when given a revocation list, and passes one that is not on it', async () => {
    const { jti } = decodeJwt(jws);
    const listed = await put('revoked.json', JSON.stringify({ items: [{ id: jti, revokedAt: '2026-04-01T00:00:00.000Z' }], next: null }));
    expect(await run({ certificate: files.cert, jwks: files.jwks, revoked: listed })).toMatchObject({
      code: 1,
      text: `certificate ${jti} was revoked at 2026-04-01T00:00:00.000Z`,
    });
    const clean = await put('clean.json', (await app.inject({ method: 'GET', url: '/v1/certificates/revoked' })).body);
    expect(await run({ certificate: files.cert, jwks: files.jwks, revoked: clean })).toMatchObject({
      code: 0,
      text: expect.stringContaining('not on the revocation list'),
    });
  });

  it('answers misuse with exit 2 and unreadable files with a clear message', async () => {
    expect((await run({ certificate: files.cert })).code).toBe(2);
    expect((await run({ jwks: files.jwks })).code).toBe(2);
    expect((await run({ analysis: files.analysis })).code).toBe(2);
    await expect(run({ certificate: at('missing.jws'), jwks: files.jwks })).rejects.toThrow(/cannot read the certificate .*missing\.jws/);
    await expect(run({ certificate: files.cert, jwks: await put('bad-jwks.json', '{') })).rejects.toThrow(/the key set .* is not JSON/);
    // A key set with only access-token keys (or none) holds no certificate key.
    const tokensOnly = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(files.jwks, 'utf8')));
    tokensOnly.keys = tokensOnly.keys.filter((k: { kid: string }) => !k.kid.startsWith('cert-'));
    expect(await run({ certificate: files.cert, jwks: await put('tokens-only.json', JSON.stringify(tokensOnly)) })).toMatchObject({
      code: 1,
      text: 'certificate refused: the key set holds no certificate key',
    });
  });
});
