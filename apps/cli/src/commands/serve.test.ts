import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '@veritas/server';
import { configFromFlags } from './serve';

describe('serve flags', () => {
  it('are overrides of the configuration, never written into the environment', () => {
    const before = { ...process.env };
    const config = configFromFlags({ data: '/tmp/veritas-flags', role: 'all', port: '9123', host: '0.0.0.0' });
    expect(config).toMatchObject({ dataDir: '/tmp/veritas-flags', role: 'all', port: 9123, host: '0.0.0.0' });
    expect(process.env).toEqual(before);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses a wrong role or port with the flag named', () => {
    expect(() => configFromFlags({ role: 'boss' })).toThrow(/--role must be api, worker or all/);
    expect(() => configFromFlags({ port: 'eighty' })).toThrow(/--port/);
  });
});

describe('serve --demo', () => {
  it('has the demo accounts seeded before /ready first answers ready', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'veritas-serve-demo-'));
    const port = await freePort();
    const bin = fileURLToPath(new URL('../../bin/veritas.mjs', import.meta.url));
    // A child process: the command runs until signalled, as `npm start` runs it.
    const child = spawn(process.execPath, [bin, 'serve', '--demo', '--port', String(port), '--data', dir], {
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', VERITAS_WEB_DIST: '' },
      stdio: 'ignore',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      // The first moment the server answers ready, with no pause after it.
      const deadline = Date.now() + 200_000;
      for (;;) {
        const ready = await fetch(`${base}/ready`).then(
          (r) => r.status,
          () => 0,
        );
        if (ready === 200) break;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`never ready (exit ${child.exitCode})`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const login = await fetch(`${base}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'teacher@demo.veritas.test', password: DEMO_PASSWORD, tokenDelivery: 'body' }),
      });
      expect(login.status).toBe(200);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
