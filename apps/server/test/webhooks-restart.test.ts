import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startServerProcess, type ServerProcess } from '../src/testing/server-process';
import { createPostgresDatabase, TEST_DB } from '../src/testing/test-database';
import { WebhookReceiver } from '../src/modules/webhooks/webhook-receiver.testing';

/**
 * Issue 14: a real receiver that fails the first two attempts of every message, a real server
 * process restarted (SIGTERM, then started again on the same storage) while messages wait for their
 * retries: every session's end arrives, verified by `standardwebhooks`, acknowledged once per
 * webhook-id, and none comes under two ids.
 */
/** The fields of the answers read here. */
interface Answer {
  id: string;
  secret: string;
  writeToken: string;
  accessToken: string;
  items: { id: string }[];
  attempt: { id: string };
}
const CLI = fileURLToPath(new URL('../../cli/bin/veritas.mjs', import.meta.url));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe(`webhooks across a server restart (${TEST_DB})`, () => {
  it('delivers every event once per webhook-id when the server restarts in the middle', async () => {
    const env: NodeJS.ProcessEnv = {
      VERITAS_WEBHOOKS_ALLOW_PRIVATE: 'true',
      VERITAS_WEBHOOKS_RETRY_BASE_MS: '400',
    };
    const storage: string[] = [];
    if (TEST_DB === 'postgres') {
      const pg = await createPostgresDatabase();
      cleanups.push(() => pg.drop());
      env.DATABASE_URL = pg.url;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'veritas-hooks-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env.VERITAS_DATA_DIR = dir;
      storage.push('--data', dir);
    }
    // The institution and its first admin, as an operator makes them.
    const made = await promisify(execFile)(process.execPath, [CLI, 'admin', 'create', '--tenant', 'hooked', '--email', 'admin@hooked.test', ...storage], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    });
    const linkToken = /\/accept\/([\w-]{43})/.exec(made.stdout)?.[1];
    expect(linkToken, made.stdout).toBeDefined();

    const rx = new WebhookReceiver({ failFirst: 2 });
    cleanups.push(() => rx.close());
    const hookUrl = await rx.start();

    let server: ServerProcess = await startServerProcess(env);
    cleanups.push(() => void server.proc.kill('SIGKILL'));
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const r = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await r.text();
      if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
      return (text ? JSON.parse(text) : {}) as Answer;
    };
    const signedIn = await api('POST', `/v1/auth/links/${linkToken}`, { password: 'the hooked admin passphrase' });
    const admin = signedIn.accessToken as string;
    const ep = await api('POST', '/v1/admin/webhooks', { url: hookUrl, events: ['session.ended'] }, admin);
    rx.secrets = [ep.secret as string];

    const ended: string[] = [];
    const endSessions = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const s = await api('POST', '/v1/sessions', { kind: 'writing', meta: { title: `Hooked ${ended.length}` } }, admin);
        await api('POST', `/v1/sessions/${s.id}/end`, undefined, s.writeToken as string);
        ended.push(s.id as string);
      }
    };
    await endSessions(8);
    // Restarted while messages wait for their retries: some refused, none acknowledged yet.
    await expect.poll(() => rx.received.length, { timeout: 30_000, interval: 50 }).toBeGreaterThan(0);
    expect(rx.acknowledged().size).toBeLessThan(8);
    server.proc.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
    const atRestart = rx.received.length;
    server = await startServerProcess(env);
    await endSessions(4);

    const sessionOf = (body: string) => (JSON.parse(body) as { data: { sessionId: string } }).data.sessionId;
    await expect
      .poll(() => new Set([...rx.acknowledged().values()].map((r) => sessionOf(r[0]!.body))).size, { timeout: 120_000, interval: 250 })
      .toBe(ended.length);
    expect(rx.received.length).toBeGreaterThan(atRestart);
    expect(rx.received.every((r) => r.verified)).toBe(true);
    // Once per webhook-id, one id per event.
    const acks = rx.acknowledged();
    for (const [id, got] of acks) expect(got, id).toHaveLength(1);
    const ids = new Map<string, Set<string>>();
    for (const r of rx.received) ids.set(sessionOf(r.body), (ids.get(sessionOf(r.body)) ?? new Set()).add(r.id));
    expect([...ids.keys()].sort()).toEqual([...ended].sort());
    for (const [sessionId, set] of ids) expect(set.size, sessionId).toBe(1);
    server.proc.kill('SIGTERM');
    await server.exited();
  });
});
