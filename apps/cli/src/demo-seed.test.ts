import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, loadConfig, startServer, type RunningServer } from '@veritas/server';
import { seedDemoInstitution } from './demo-seed';

let dir: string;
let server: RunningServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-demo-seed-'));
  server = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: dir, logLevel: 'silent' }));
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function titlesSeenBy(email: string): Promise<string[]> {
  const login = await fetch(`${server.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const list = await fetch(`${server.url}/v1/sessions?limit=50`, { headers: { authorization: `Bearer ${accessToken}` } });
  return ((await list.json()) as { items: { meta: { title?: string } }[] }).items.map((s) => s.meta.title ?? '').sort();
}

describe('the demo institution', () => {
  it('gives the student two sessions that the student, their teacher, the observer and the admin see, and seeds them once only', async () => {
    const printed = await seedDemoInstitution(server.app.services);
    expect(printed.join('\n')).toContain('teacher@demo.veritas.test');
    await seedDemoInstitution(server.app.services);
    const expected = ['Sam: essay on rivers', 'Sam: history summary (with a paste)'];
    expect(await titlesSeenBy('student@demo.veritas.test')).toEqual(expected);
    expect(await titlesSeenBy('teacher@demo.veritas.test')).toEqual(expected);
    expect(await titlesSeenBy('observer@demo.veritas.test')).toEqual(expected);
    expect(await titlesSeenBy('admin@demo.veritas.test')).toEqual(expected); // an admin sees the tenant's sessions
  });
});
