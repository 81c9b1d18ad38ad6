/** What the live benchmarks share: the servers under test, the viewer processes, the publisher, tables. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import WebSocket from 'ws';
import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { startServerProcess } from '../ingest/server-process';
import { Histogram } from './histogram';
import type { AlertSeen, StreamTarget, ViewerOrder, ViewerReply } from './viewer-process';

export { fmt, int, medianRange, table } from '../shared/stats';

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `--name value` options with defaults. */
export function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

export interface Target {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ADMIN_URL = process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The storage a Veritas server runs on: a fresh PostgreSQL database of the bench, or a PGlite directory. */
export async function storage(kind: string): Promise<{ env: NodeJS.ProcessEnv; drop(): Promise<void> }> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'veritas-bench-live-'));
    return { env: { VERITAS_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `veritas_bench_live_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A redis-server of the bench's own, on its own port (never the shared one). */
export async function ownRedis(): Promise<{ url: string; stop(): void }> {
  // A port nobody listens on right now (a random one can collide with an ephemeral port in use).
  // BENCH_LIVE_REDIS_PORT: a port set aside for the bench's Redis (it must be free).
  let port = Number(process.env.BENCH_LIVE_REDIS_PORT ?? 0);
  if (!port) {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    ({ port } = probe.address() as { port: number });
    await new Promise((r) => probe.close(r));
  }
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited ${code}: ${out}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => void child.kill('SIGKILL') };
}

/** `veritas serve` as in production, its live settings at their defaults unless `env` says otherwise. */
export async function startVeritas(name: string, env: NodeJS.ProcessEnv): Promise<Target> {
  const s = await startServerProcess({ VERITAS_LIVE_MAX_BUFFER_BYTES: String(4 * 1024 * 1024), ...env });
  return { name, url: s.url, pid: s.proc.pid!, stop: s.stop };
}

const BASELINE = fileURLToPath(new URL('./baseline-server.ts', import.meta.url));

export function startBaseline(): Promise<Target> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', BASELINE], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m)
        resolve({
          name: 'bare node http',
          url: m[1]!,
          pid: proc.pid!,
          stop: () =>
            new Promise<void>((r) => {
              if (proc.exitCode !== null) return r();
              proc.once('exit', () => r());
              proc.kill('SIGTERM');
            }),
        });
    });
    proc.on('exit', (code) => reject(new Error(`baseline exited ${code}: ${out}`)));
  });
}

/** Resident memory (kB) of a process. */
export function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** CPU seconds (user + system) a process has used. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

const VIEWER = fileURLToPath(new URL('./viewer-process.ts', import.meta.url));

/** A viewer process, driven one order at a time. */
export class Viewers {
  private readonly proc: ChildProcess;
  private waiting: ((r: ViewerReply) => void) | null = null;
  constructor() {
    this.proc = spawn(process.execPath, ['--import', 'tsx', VIEWER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (r: ViewerReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
  }
  order<K extends ViewerReply['kind']>(o: ViewerOrder, expect: K): Promise<Extract<ViewerReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      this.waiting = (r) =>
        r.kind === expect ? resolve(r as Extract<ViewerReply, { kind: K }>) : reject(new Error(r.kind === 'failed' ? r.message : `unexpected ${r.kind}`));
      this.proc.send(o);
    });
  }
  get pid(): number {
    return this.proc.pid!;
  }
  stop(): void {
    if (this.proc.connected) this.proc.disconnect();
  }
}

/** Opens `urls` spread over `procs` viewer processes. */
export async function openViewers(procs: Viewers[], urls: StreamTarget[]): Promise<{ ok: number; failed: number; errors: string[] }> {
  const replies = await Promise.all(
    procs.map((p, i) => p.order({ kind: 'open', urls: urls.filter((_, j) => j % procs.length === i), concurrency: 50 }, 'opened')),
  );
  return { ok: sum(replies.map((r) => r.ok)), failed: sum(replies.map((r) => r.failed)), errors: [...new Set(replies.flatMap((r) => r.errors))] };
}

export async function report(procs: Viewers[]) {
  const replies = await Promise.all(procs.map((p) => p.order({ kind: 'report' }, 'report')));
  const latency = new Histogram();
  const view = new Histogram();
  for (const r of replies) {
    latency.merge(r.latency);
    view.merge(r.view);
  }
  return {
    view,
    viewMessages: sum(replies.map((r) => r.viewMessages)),
    alerts: replies.flatMap((r): AlertSeen[] => r.alerts),
    socketsOpen: sum(replies.map((r) => r.socketsOpen)),
    open: sum(replies.map((r) => r.open)),
    deliveries: sum(replies.map((r) => r.deliveries)),
    gaps: sum(replies.map((r) => r.gaps)),
    duplicates: sum(replies.map((r) => r.duplicates)),
    dropped: sum(replies.map((r) => r.dropped)),
    perConnection: replies.flatMap((r) => r.perConnection),
    latency,
  };
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** An event that carries the time it was sent, to be read back by the viewers. */
export const stampedEvent = (seq: number, ts: number, pad = 0): VeritasEvent =>
  ({ seq, t: seq * 10, type: 'custom', data: { name: 'bench', data: pad > 0 ? { ts, pad: 'x'.repeat(pad) } : { ts } } }) as VeritasEvent;

/** A session on a Veritas server, written batch after batch (sealed as it goes), anonymous and public. */
/** What the ingest socket answers (the bench reads only these fields); `closed` is the socket's close. */
type SocketAnswer = { type: string; firstSeq?: number; held?: boolean; code?: number };

export class Writer {
  private prev = '';
  private key: string | undefined;
  seq = 0;
  id = '';
  private token = '';
  constructor(private readonly base: string) {}
  /** A session made elsewhere (an exam attempt), written with its write token. */
  async existing(id: string, writeToken: string): Promise<this> {
    this.id = id;
    this.token = writeToken;
    this.key = await macKeyFromToken(this.token);
    this.prev = await genesisHash(this.id);
    return this;
  }
  async create(): Promise<this> {
    const r = await fetch(`${this.base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'writing' }),
    });
    if (r.status !== 201) throw new Error(`creating a session answered ${r.status}: ${await r.text()}`);
    const body = (await r.json()) as { id: string; writeToken: string };
    this.id = body.id;
    this.token = body.writeToken;
    this.key = await macKeyFromToken(this.token);
    this.prev = await genesisHash(this.id);
    return this;
  }
  /**
   * Sends the batches that follow over the session's ingest socket (veritas.ingest/v1) instead of a
   * POST each: the hello, then one batch in flight at a time, as the recorder's socket transport does.
   */
  async openSocket(): Promise<void> {
    const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}/v1/sessions/${this.id}/ingest`);
    ws.on('error', () => {}); // a failure shows as the close below, answering what waits
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('close', (code) => reject(new Error(`the ingest socket closed with ${code} before it opened`)));
    });
    ws.on('message', (data) => this.answered(JSON.parse(String(data)) as SocketAnswer));
    ws.on('close', (code) => this.answered({ type: 'closed', code }));
    const ready = await this.exchange(ws, { type: 'hello', protocol: 'veritas.ingest/v1', token: this.token });
    if (ready.type !== 'ready') throw new Error(`the ingest socket answered the hello with ${JSON.stringify(ready)}`);
    this.socket = ws;
  }
  closeSocket(): void {
    this.socket?.close(1000);
    this.socket = undefined;
  }
  private socket: WebSocket | undefined;
  private waiting: ((m: SocketAnswer) => void) | undefined;
  private answered(m: SocketAnswer): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(m);
  }
  private exchange(ws: WebSocket, message: object): Promise<SocketAnswer> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      ws.send(JSON.stringify(message));
    });
  }
  /** Sends `n` stamped events as one batch; resolves with the ack time (ms). */
  /** `ts`: when the batch was due (the open-loop clock); now by default. */
  async send(n: number, pad = 0, ts = now(), extra: (seq: number, ts: number) => VeritasEvent[] = () => []): Promise<number> {
    const more = extra(this.seq, ts);
    const events = [...more, ...Array.from({ length: n - more.length }, (_, i) => stampedEvent(this.seq + more.length + i, ts, pad))];
    const batch = await sealBatch(events, this.prev, this.key);
    if (this.socket) {
      const m = await this.exchange(this.socket, { type: 'batch', batch });
      if (m.type !== 'ack' || m.firstSeq !== batch.firstSeq || m.held) throw new Error(`the ingest socket answered ${JSON.stringify(m)}`);
    } else {
      const r = await fetch(`${this.base}/v1/sessions/${this.id}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(batch),
      });
      await r.text();
      if (r.status !== 200) throw new Error(`ingest answered ${r.status}`);
    }
    this.prev = batch.hash;
    this.seq += n;
    return now() - ts;
  }
}

/** The baseline's publisher: the same SSE message bytes, POSTed to be broadcast. */
export class BaselinePublisher {
  seq = 0;
  constructor(private readonly base: string) {}
  async send(n: number, pad = 0, ts = now()): Promise<number> {
    let body = '';
    for (let i = 0; i < n; i++) {
      const seq = this.seq + i;
      body += `id: ${seq}\ndata: ${JSON.stringify(stampedEvent(seq, ts, pad))}\n\n`;
    }
    const r = await fetch(`${this.base}/publish`, { method: 'POST', body });
    await r.text();
    this.seq += n;
    return now() - ts;
  }
}

/** Waits until `cond` or `ms` pass (a polled condition with a ceiling). */
export async function until(cond: () => Promise<boolean>, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) if (await cond()) return true;
  return cond();
}

/** Raises the soft limit of open files as far as the hard limit allows (for this process and its children). */
export function raiseOpenFiles(): void {
  // Node cannot call setrlimit itself; the scripts are started through `ulimit -n` (see README), this only warns.
  const limit = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+)/)?.[1]);
  if (limit < 12_000) console.warn(`open files limit ${limit}: run with \`ulimit -n 20000\` first for 10,000 viewers`);
}
