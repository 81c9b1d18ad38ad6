import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { macKeyFromToken, verifyChain, type VeritasEvent } from '@veritas/schema';
import { chainBatches, type SealedBatch } from '../src/testing/batches';
import { startServerProcess, writingEvents, type ServerProcess } from '../src/testing/server-process';
import { TEST_DB } from '../src/testing/test-database';

// Issue 16: `veritas backup` copies the embedded default consistently while it serves (through the
// server's control socket), `veritas restore` checks every file and restores into a new folder, and
// every session of the backup verifies afterwards. The embedded database only: it runs once, in the
// embedded pass.

const CLI = fileURLToPath(new URL('../../cli/bin/veritas.mjs', import.meta.url));
const dirs: string[] = [];
const tmp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `veritas-${name}-`));
  dirs.push(d);
  return d;
};
const servers: ServerProcess[] = [];
afterAll(() => {
  for (const s of servers) s.proc.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function veritas(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'warn' } }, (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

interface Recorded {
  id: string;
  writeToken: string;
  events: VeritasEvent[];
  batches: SealedBatch[];
  acked: number;
}

async function record(url: string, n: number): Promise<Recorded> {
  const r = await fetch(`${url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'writing' }) });
  const { id, writeToken } = (await r.json()) as { id: string; writeToken: string };
  const events = writingEvents(n);
  return { id, writeToken, events, batches: await chainBatches(id, events, 25, writeToken), acked: -1 };
}

async function send(url: string, s: Recorded, batch: SealedBatch): Promise<void> {
  const r = await fetch(`${url}/v1/sessions/${s.id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.writeToken}` },
    body: JSON.stringify(batch),
  });
  expect(r.status).toBe(200);
  s.acked = Math.max(s.acked, ((await r.json()) as { ack: number }).ack);
}

describe.skipIf(TEST_DB !== 'pglite')('backup and restore of the embedded default', () => {
  it('backs up while serving and ingesting, refuses a damaged backup or a used folder, and restores sessions that verify', async () => {
    const data = tmp('backup-data');
    let server = await startServerProcess({ VERITAS_DATA_DIR: data });
    servers.push(server);
    const ended = await record(server.url, 600);
    for (const b of ended.batches) await send(server.url, ended, b);
    expect((await fetch(`${server.url}/v1/sessions/${ended.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${ended.writeToken}` } })).ok).toBe(
      true,
    );

    // A writer keeps committing while the backup runs: the copy holds at least what was acknowledged before it began.
    const live = await record(server.url, 2000);
    for (const b of live.batches.slice(0, 20)) await send(server.url, live, b);
    const ackedBefore = live.acked;
    let stop = false;
    const writing = (async () => {
      for (const b of live.batches.slice(20)) {
        if (stop) break;
        await send(server.url, live, b);
      }
    })();
    const out = join(tmp('backup-out'), 'b1');
    const made = await veritas('backup', '--data', data, '--out', out);
    stop = true;
    await writing;
    expect(made.out).toMatch(/backed up .* files/);
    expect(made.code).toBe(0);
    // The same folder again is refused, not overwritten.
    expect((await veritas('backup', '--data', data, '--out', out)).code).toBe(1);
    server.proc.kill('SIGTERM');
    expect(await server.exited()).toBe(0);

    // A backup altered by one byte is refused before anything is written.
    const damaged = join(tmp('backup-damaged'), 'b');
    cpSync(out, damaged, { recursive: true });
    const tar = readFileSync(join(damaged, 'database.tar.gz'));
    tar[Math.floor(tar.length / 2)]! ^= 0xff;
    writeFileSync(join(damaged, 'database.tar.gz'), tar);
    const refused = await veritas('restore', '--from', damaged, '--data', tmp('restore-refused'));
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('differs from the manifest');

    const restored = tmp('restore-data');
    const done = await veritas('restore', '--from', out, '--data', restored);
    expect(done.out).toContain('restored');
    expect(done.code).toBe(0);
    // Never over existing data.
    expect((await veritas('restore', '--from', out, '--data', restored)).code).toBe(1);

    server = await startServerProcess({ VERITAS_DATA_DIR: restored });
    servers.push(server);
    for (const s of [ended, live]) {
      const bundle = (await (await fetch(`${server.url}/v1/sessions/${s.id}/bundle`)).json()) as { batches: SealedBatch[] };
      expect(await verifyChain(s.id, bundle.batches, await macKeyFromToken(s.writeToken)), s.id).toBeNull();
      const stored = bundle.batches.flatMap((b) => b.events);
      expect(stored.length).toBeGreaterThan(s === live ? ackedBefore : s.events.length - 1);
      expect(stored).toEqual(s.events.slice(0, stored.length));
    }
    server.proc.kill('SIGTERM');
    expect(await server.exited()).toBe(0);
  });
});
