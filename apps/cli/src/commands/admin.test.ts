import { printed } from '../testing/printed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, loadConfig, openDatabase } from '@veritas/server';
import { admin } from './admin';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-admin-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Runs the command and returns its exit code and what it printed. */
async function run(values: Record<string, string>, positionals = ['create']) {
  return printed(() => admin.run({ values: { data: dir, ...values }, positionals }));
}

describe('veritas admin create', () => {
  it('creates the institution and prints a one-time link that makes its admin', async () => {
    const first = await run({ tenant: 'west-school', 'tenant-name': 'West School', email: 'Head@West.test', name: 'Head Teacher' });
    expect(first.code, first.text).toBe(0);
    expect(first.text).toContain('created institution "West School" (west-school)');
    expect(first.text).toMatch(/sends no email/);
    const link = /(http:\/\/localhost:\d+\/accept\/[\w-]{43})/.exec(first.text)?.[1];
    expect(link).toBeDefined();

    const again = await run({ tenant: 'west-school', email: 'deputy@west.test' });
    expect(again.code).toBe(0);
    expect(again.text).toContain('found institution "West School"');

    // The link works on the server that opens this data folder.
    const config = loadConfig({}, { dataDir: dir, logLevel: 'silent' });
    const { database, unlock } = await openDatabase(config);
    const app = await buildApp({ config, database, logger: false });
    try {
      const r = await app.inject({ method: 'POST', url: `/v1/auth/links/${link!.split('/accept/')[1]}`, payload: { password: 'the head teacher passphrase' } });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().user).toMatchObject({
        email: 'head@west.test',
        role: 'admin',
        displayName: 'Head Teacher',
        tenant: { slug: 'west-school', name: 'West School' },
      });
    } finally {
      await app.close();
      await database.close();
      unlock();
    }
  });

  it('says how to use it when a flag or the subcommand is missing or wrong', async () => {
    expect(await run({ email: 'a@b.test' })).toMatchObject({ code: 2, text: expect.stringMatching(/--tenant and --email are required/) });
    expect(await run({ tenant: 'x', email: 'a@b.test' }, ['delete'])).toMatchObject({ code: 2, text: expect.stringMatching(/only subcommand is "create"/) });
    await expect(run({ tenant: 'Not A Slug', email: 'a@b.test' })).rejects.toThrow(/--tenant must be lower-case/);
    // The SSO callback's path segment can never be an institution's short name.
    await expect(run({ tenant: 'callback', email: 'a@b.test' })).rejects.toThrow(/reserved/);
  });
});
