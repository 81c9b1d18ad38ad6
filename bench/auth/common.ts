/** Shared pieces of the auth benches: a `veritas serve --demo` process on either storage, timing and the machine's state. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from '../../apps/server/src/testing/test-database';
import { machineCpuSeconds, processCpuSeconds } from '../ingest/cpu';
import { request } from '../ingest/load';

export { request };
export const CLI = fileURLToPath(new URL('../../apps/cli/bin/veritas.mjs', import.meta.url));
process.env.VERITAS_TEST_DATABASE_URL ??= process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Storage = 'pglite' | 'postgres';

export interface DemoServer {
  proc: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * `veritas serve --demo` in its own process, as in production, on a fresh database: the embedded
 * PGlite in a temporary directory, or a fresh PostgreSQL database. The anonymous and ingest rate
 * limits are lifted (they would refuse a bench's load, not measure it); the login throttle is not
 * touched (only failures count, and the benches only succeed).
 */
export async function startDemoServer(storage: Storage): Promise<DemoServer> {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  if (storage === 'postgres') {
    const db = await createPostgresDatabase();
    env = { DATABASE_URL: db.url };
    cleanup = db.drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'veritas-bench-auth-'));
    env = { VERITAS_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const base = { ...process.env };
  delete base.DATABASE_URL; // the embedded default unless asked for PostgreSQL
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--demo'], {
    env: { ...base, LOG_LEVEL: 'warn', VERITAS_RATE_ANON_PER_MIN: '1000000', VERITAS_RATE_INGEST_PER_MIN: '1000000', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Veritas listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return {
    proc,
    url,
    stop: async () => {
      if (proc.exitCode === null) {
        await new Promise<void>((r) => {
          proc.once('exit', () => r());
          proc.kill('SIGTERM');
        });
      }
      await cleanup();
    },
  };
}

export async function json<T>(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const r = await request(url, method, body === undefined ? undefined : JSON.stringify(body), headers);
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as T;
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
}

export const signIn = (url: string, email: string, password: string) =>
  json<SignedIn>(`${url}/v1/auth/login`, 'POST', { email, password, tokenDelivery: 'body' });

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (xs: number[]) => percentileMid(xs);
function percentileMid(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
/** "median (min–max)" over runs. */
export const mr = (xs: number[], d = 0, unit = '') =>
  xs.length === 1 ? `${fmt(xs[0]!, d)}${unit}` : `${fmt(median(xs), d)}${unit} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;

/** A window on the machine: cores used by the server process, by this bench process, and by everything else. */
export class Machine {
  private readonly m0 = machineCpuSeconds();
  private readonly s0: number;
  private readonly b0 = process.cpuUsage();
  private readonly t0 = performance.now();
  readonly load1 = loadavg()[0]!;
  constructor(private readonly serverPid: number) {
    this.s0 = processCpuSeconds(serverPid);
  }
  /** Seconds of CPU the server used since the window opened, and cores by whom. */
  close(extraPids: { pid: number; cpu0: number }[] = []): {
    serverCpuS: number;
    wallS: number;
    cores: { server: number; bench: number; other: number; idle: number };
  } {
    const wallS = (performance.now() - this.t0) / 1000;
    const m1 = machineCpuSeconds();
    const serverCpuS = processCpuSeconds(this.serverPid) - this.s0;
    const b = process.cpuUsage(this.b0);
    let benchCpuS = (b.user + b.system) / 1e6;
    for (const p of extraPids) benchCpuS += processCpuSeconds(p.pid) - p.cpu0;
    const busy = (m1.busy - this.m0.busy) / wallS;
    const total = (m1.total - this.m0.total) / wallS;
    return {
      serverCpuS,
      wallS,
      cores: { server: serverCpuS / wallS, bench: benchCpuS / wallS, other: busy - serverCpuS / wallS - benchCpuS / wallS, idle: total - busy },
    };
  }
}
