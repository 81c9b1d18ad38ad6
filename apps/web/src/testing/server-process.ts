/**
 * The real server in a process of its own, serving the built web app, for browser tests that kill it
 * and start it again on the same port and the same data (Node only, never bundled): a page that stays
 * open across the restart reconnects to the same origin.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, seedDemoPeople, startServer, type DemoPerson } from '@veritas/server';
import { buildWeb } from './browser-harness';

const CLI = fileURLToPath(new URL('../../../cli/bin/veritas.mjs', import.meta.url));

export interface RestartableServer {
  url: string;
  /** The demo people by role (DEMO_PASSWORD), seeded before the first start. */
  people: Record<DemoPerson['role'], DemoPerson & { id: string; tenantId: string }>;
  /** SIGKILL: no shutdown, open streams cut mid-write. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function spawnServer(port: number, dataDir: string, webDist: string): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, 'serve', '--port', String(port), '--data', dataDir], {
      env: { ...process.env, LOG_LEVEL: 'warn', VERITAS_WEB_DIST: webDist },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Veritas listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

const gone = (proc: ChildProcess) => new Promise<void>((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once('exit', () => r())));

/** Builds the web app, seeds the demo people into a fresh embedded database, then starts `veritas serve` on it. */
export async function startRestartableServer(name: string): Promise<RestartableServer> {
  const dir = await mkdtemp(join(tmpdir(), `veritas-${name}-`));
  const webDist = join(dir, 'dist');
  const dataDir = join(dir, 'data');
  await buildWeb(webDist);
  // Seeded in this process, which then lets the data directory go to the server process.
  const seeding = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent' }));
  const people = Object.fromEntries((await seedDemoPeople(seeding.database)).map((p) => [p.role, p])) as RestartableServer['people'];
  await seeding.close();

  let current = await spawnServer(0, dataDir, webDist);
  const port = Number(new URL(current.url).port);
  return {
    url: current.url,
    people,
    async kill() {
      current.proc.kill('SIGKILL');
      await gone(current.proc);
    },
    async restart() {
      current = await spawnServer(port, dataDir, webDist);
    },
    async close() {
      current.proc.kill('SIGTERM');
      await gone(current.proc);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
