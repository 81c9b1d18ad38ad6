/**
 * The server's memory while it streams a long session's replay: `veritas serve` in its own process,
 * a 400,000-event writing session stored in its database, `GET /v1/sessions/{id}/replay` read to
 * the end by this process. Peak RSS (the kernel's high-water mark, reset just before the request)
 * and peak V8 heap (the server's /metrics, sampled during the request) against the same process
 * idle just before, per run; a fresh server each run; median and range.
 *
 *   npx tsx bench/replay/route-memory.ts [--events 400000] [--runs 3] [--storage postgres|pglite]
 *
 * Needs PostgreSQL at VERITAS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test)
 * for --storage postgres (the default); pglite runs the embedded database inside the server process.
 * BENCH_SERVER_NODE_ARGS="--trace-gc" and BENCH_SERVER_LOG=/tmp/server.log are for diagnosis.
 * BENCH_VERITAS_CLI=/path/to/apps/cli/bin/veritas.mjs measures another checkout's server (a before/after).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { genesisHash, type VeritasEvent } from '@veritas/schema';
import { openPglite, openPostgres, type Database } from '../../apps/server/src/platform/db/database';
import { migrateToLatest } from '../../apps/server/src/platform/db/migrations';
import { insertBatches, insertEvents, insertSession } from '../../apps/server/src/modules/sessions';
import { createPostgresDatabase } from '../../apps/server/src/testing/test-database';
import { writingSession } from './session';

const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '400000' }, runs: { type: 'string', default: '3' }, storage: { type: 'string', default: 'postgres' } },
});
const EVENTS = Number(args.events);
const RUNS = Number(args.runs);
const STORAGE = args.storage === 'pglite' ? 'pglite' : 'postgres';
process.env.VERITAS_TEST_DATABASE_URL ??= process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Extra node flags for the server (diagnostics such as --trace-gc; never part of a reported row). */
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** A file the server's stdout is copied to (e.g. --trace-gc lines). */
const SERVER_LOG = process.env.BENCH_SERVER_LOG;
const CLI = process.env.BENCH_VERITAS_CLI ?? fileURLToPath(new URL('../../apps/cli/bin/veritas.mjs', import.meta.url));

/** `veritas serve` in its own process, so its memory is its own. */
function startServer(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; url: string; stop(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...NODE_ARGS, CLI, 'serve', '--port', '0'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (SERVER_LOG) appendFileSync(SERVER_LOG, d);
      const m = /Veritas listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]!, stop: () => new Promise<void>((r) => (proc.once('exit', () => r()), proc.kill('SIGTERM'))) });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

const SESSION = 'replayMemoryBench0001';
const SMALL = 'replayMemoryWarmup001';
const mb = (x: number) => x / 1024 / 1024;
const f1 = (x: number) => x.toFixed(1);

/** Every typed character has a key event after it, so 2 events per op roughly; trimmed to the exact count. */
function longSession(n: number): VeritasEvent[] {
  const events = writingSession(Math.ceil(n / 1.9)).slice(0, n);
  if (events.length < n) throw new Error(`the simulated session has only ${events.length} events`);
  return events;
}

async function store(database: Database, id: string, events: VeritasEvent[]): Promise<void> {
  const last = events[events.length - 1]!;
  await insertSession(database.db, {
    id,
    tenant_id: null,
    owner_id: null,
    kind: 'writing',
    status: 'active',
    source: 'live',
    write_key: 'bench',
    meta: JSON.stringify({}),
    analysis_settings: JSON.stringify({}),
    head_hash: await genesisHash(id),
  });
  for (let i = 0; i < events.length; i += 5000) {
    await insertEvents(
      database.db,
      events.slice(i, i + 5000).map((e) => ({ session_id: id, seq: e.seq, t: e.t, type: e.type, data: e.data })),
    );
    // Batches of 50, as the recorder sends them (the route does not read them; the bundle export and an older route do).
    const batches = [];
    for (let b = i; b < Math.min(i + 5000, events.length); b += 50) {
      batches.push({ session_id: id, first_seq: b, count: Math.min(50, events.length - b), prev_hash: `h${b}`, hash: `h${b + 50}`, mac: null });
    }
    await insertBatches(database.db, batches);
  }
  await database.db
    .updateTable('sessions')
    .set({ next_seq: last.seq + 1, last_t: last.t })
    .where('id', '=', id)
    .execute();
}

/** VmRSS and VmHWM of a process, in bytes. */
function rssOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

async function heapOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
}

interface Run {
  idleRss: number;
  idleHeap: number;
  peakRss: number;
  peakHeap: number;
  bytes: number;
  seconds: number;
}

async function oneRun(env: NodeJS.ProcessEnv): Promise<Run> {
  const server = await startServer(env);
  const pid = server.proc.pid!;
  try {
    // Warm the route's code on a small session, then let the process settle before measuring idle.
    await (await fetch(`${server.url}/v1/sessions/${SMALL}/replay`)).text();
    await new Promise((r) => setTimeout(r, 2000));
    const idleRss: number[] = [];
    const idleHeap: number[] = [];
    for (let i = 0; i < 10; i++) {
      idleRss.push(rssOf(pid).rss);
      idleHeap.push(await heapOf(server.url));
      await new Promise((r) => setTimeout(r, 100));
    }
    // The high-water mark from here on is the request's (clear_refs 5 resets VmHWM to VmRSS).
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    let peakHeap = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakHeap = Math.max(peakHeap, await heapOf(server.url).catch(() => 0));
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    const started = performance.now();
    const res = await fetch(`${server.url}/v1/sessions/${SESSION}/replay`);
    if (res.status !== 200) throw new Error(`replay answered ${res.status}: ${await res.text()}`);
    let bytes = 0;
    let tail = '';
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      const chunk = r.value;
      bytes += chunk.byteLength;
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-200);
    }
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    const end = JSON.parse(tail.trim().split('\n').pop()!);
    if (end.k !== 'end' || end.events !== EVENTS) throw new Error(`the stream did not end with all ${EVENTS} events: ${tail}`);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    return { idleRss: median(idleRss), idleHeap: median(idleHeap), peakRss: rssOf(pid).hwm, peakHeap, bytes, seconds };
  } finally {
    await server.stop();
  }
}

let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;
let database: Database;
if (STORAGE === 'postgres') {
  const pgdb = await createPostgresDatabase();
  database = openPostgres(pgdb.url, 2);
  env = { DATABASE_URL: pgdb.url };
  cleanup = pgdb.drop;
} else {
  const dir = mkdtempSync(join(tmpdir(), 'veritas-replay-mem-'));
  // Where `veritas serve --data <dir>` keeps its embedded database.
  database = await openPglite(join(dir, 'pglite'));
  env = { VERITAS_DATA_DIR: dir };
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
}
try {
  await migrateToLatest(database.db);
  process.stderr.write(`storing ${EVENTS.toLocaleString('en')} events (${STORAGE})…\n`);
  await store(database, SESSION, longSession(EVENTS));
  await store(database, SMALL, longSession(2000));
  await database.close();

  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    // Other work may share the machine: the 1-minute load average as each run starts.
    const load = loadavg()[0]!.toFixed(2);
    const r = await oneRun(env);
    process.stderr.write(
      `run ${i + 1} (load ${load}): idle rss ${f1(mb(r.idleRss))} MB heap ${f1(mb(r.idleHeap))} MB; peak rss ${f1(mb(r.peakRss))} MB heap ${f1(mb(r.peakHeap))} MB; ${f1(mb(r.bytes))} MB in ${r.seconds.toFixed(1)} s\n`,
    );
    runs.push(r);
  }
  const stat = (f: (r: Run) => number) => {
    const xs = runs.map(f).sort((a, b) => a - b);
    return `${f1(mb(xs[xs.length >> 1]!))} (${f1(mb(xs[0]!))}–${f1(mb(xs[xs.length - 1]!))})`;
  };
  console.log(`replay route memory: ${EVENTS.toLocaleString('en')} events, ${STORAGE}, ${RUNS} runs, node ${process.version}; MB, median (range)\n`);
  console.log('| storage | events | idle RSS | peak RSS | RSS above idle | idle heap | peak heap | heap above idle | NDJSON MB | seconds |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  console.log(
    `| ${STORAGE} | ${EVENTS.toLocaleString('en')} | ${stat((r) => r.idleRss)} | ${stat((r) => r.peakRss)} | ${stat((r) => r.peakRss - r.idleRss)} | ${stat((r) => r.idleHeap)} | ${stat((r) => r.peakHeap)} | ${stat((r) => r.peakHeap - r.idleHeap)} | ${f1(mb(runs[0]!.bytes))} | ${[...runs.map((r) => r.seconds)].sort((a, b) => a - b)[runs.length >> 1]!.toFixed(1)} |`,
  );
} finally {
  await cleanup();
}
