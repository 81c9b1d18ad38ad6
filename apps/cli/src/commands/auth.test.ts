import { printed } from '../testing/printed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig, openDatabase } from '@veritas/server';
import { auth } from './auth';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-auth-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function run(positionals: string[]) {
  return printed(() => auth.run({ values: { data: dir }, positionals }));
}

const kidIn = (text: string) => /new signing key ([\w-]+)/.exec(text)?.[1];

describe('veritas auth rotate-keys', () => {
  it('makes a new signing key each time, and the server publishes it', async () => {
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
      // The newest signs; the one before still verifies the tokens it signed.
      expect(kids).toEqual(expect.arrayContaining([kidIn(first.text), kidIn(second.text)]));
    } finally {
      await app.close();
      await database.close();
      unlock();
    }
  });

  it('refuses an unknown subcommand with its usage', async () => {
    expect(await run(['rotate'])).toMatchObject({ code: 2, text: expect.stringMatching(/only subcommand is "rotate-keys"/) });
  });
});
