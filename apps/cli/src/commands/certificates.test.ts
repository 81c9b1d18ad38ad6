import { printed } from '../testing/printed';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, exportJWK } from 'jose';
import { buildApp, loadConfig, openDatabase } from '@veritas/server';
import { certificates } from './certificates';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-certificates-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function run(positionals: string[]) {
  return printed(() => certificates.run({ values: { data: dir }, positionals }));
}

const kidIn = (text: string) => /new certificate key (cert-[\w-]+)/.exec(text)?.[1];

describe('veritas certificates rotate-keys', () => {
  it('makes a new certificate key each time; the server publishes every one of them', async () => {
    const first = await run(['rotate-keys']);
    const second = await run(['rotate-keys']);
    expect(first.code, first.text).toBe(0);
    expect(kidIn(first.text)).toBeDefined();
    expect(kidIn(second.text)).not.toBe(kidIn(first.text));
    const config = loadConfig({}, { dataDir: dir, logLevel: 'silent' });
    const { database, unlock } = await openDatabase(config);
    const app = await buildApp({ config, database, logger: false });
    try {
      const kids = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json().keys.map((k: { kid: string }) => k.kid);
      expect(kids).toEqual(expect.arrayContaining([kidIn(first.text), kidIn(second.text)]));
      expect((await app.services.certificates.keys.signing()).kid).toBe(kidIn(second.text));
      const audited = await database.db.selectFrom('audit_log').selectAll().where('action', '=', 'certificates.keys-rotate').execute();
      expect(audited.map((e) => e.resource_id).sort()).toEqual([kidIn(first.text), kidIn(second.text)].sort());
    } finally {
      await app.close();
      await database.close();
      unlock();
    }
  });

  it('refuses to rotate a key given by VERITAS_CERTIFICATE_KEY_FILE, and an unknown subcommand', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const file = join(dir, 'key.json');
    await writeFile(file, JSON.stringify(await exportJWK(privateKey)));
    vi.stubEnv('VERITAS_CERTIFICATE_KEY_FILE', file);
    try {
      await expect(run(['rotate-keys'])).rejects.toThrow(/put a new key in that file and restart/);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(await run(['rotate'])).toMatchObject({ code: 2, text: expect.stringMatching(/only subcommand is "rotate-keys"/) });
  });
});
