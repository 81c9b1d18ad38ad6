/**
 * bench/ingest — How many events per second does ingest store durably, how fast are acks, and
 * how close is that to a raw COPY of the same rows into the same table (measured in the same run)?
 * Where does the CPU go: the server, PostgreSQL, the load generator, or other work on the machine?
 *
 *   npx tsx bench/ingest/ingest.ts [--runs 3] [--clients 200] [--batch 50] [--seconds 10] [--rate 10000]
 *                                  [--storage both|postgres|pglite] [--out runs.jsonl] [--label text]
 *
 * BENCH_SERVER_CPUS / BENCH_LOAD_CPUS pin the server / the load generator with `taskset -c`;
 * BENCH_SERVER_NODE_ARGS passes node flags to the server (e.g. `--import ./bench/ingest/server-probe.mjs`).
 * BENCH_NICE (default -15) is the nice level of the server, load generator and COPY processes;
 * BENCH_SERVER_ROOT measures the server of another checkout (e.g. the code before a change).
 * BENCH_LOAD_CLIENT=node sends with Node's http.request instead of the raw keep-alive client (load.ts).
 * Needs PostgreSQL at VERITAS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5545/test: the
 * bench's own cluster, `sh bench/ingest/pg-cluster.sh start`); refuses to run with synchronous_commit off.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg, tmpdir } from 'node:os';
import { BENCH_NICE, startServerProcess } from './server-process';
import { LoadProcess } from './load-client';
import { LOAD_CLIENT, percentile } from './load';
import { copyRateInProcess } from './copy-baseline';
import { CpuWindow, machineCpuSeconds, postgresPids, processCpuSeconds } from './cpu';
import { printSummary, type RunRow } from './summary';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1' },
    clients: { type: 'string', default: '200' },
    batch: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '10000' },
    storage: { type: 'string', default: 'both' },
    out: { type: 'string' },
    label: { type: 'string', default: '' },
  },
});
const runs = Number(values.runs);
const clients = Number(values.clients);
const batch = Number(values.batch);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const serverCpus = process.env.BENCH_SERVER_CPUS || undefined;
const loadCpus = process.env.BENCH_LOAD_CPUS || undefined;
process.env.VERITAS_TEST_DATABASE_URL ??= process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5545/test';
// Imported only now: test-database reads VERITAS_TEST_DATABASE_URL when it loads, and a static import
// would load it before the line above (the bench then used the shared cluster on 5432).
const { createPostgresDatabase } = await import('../../apps/server/src/testing/test-database');

/** Durability is part of what is measured: a cluster that does not flush each commit is refused. */
async function checkDurable(url: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ name: string; setting: string }>(`select name, setting from pg_settings where name in ('synchronous_commit', 'fsync')`);
    for (const { name, setting } of r.rows) if (setting !== 'on') throw new Error(`${name} is ${setting}: the bench measures durable ingest`);
  } finally {
    await c.end();
  }
}

/**
 * BENCH_OPEN_RT=<1–99>: during the open loop only, the server, the load generator and the bench
 * database's backends run round-robin real-time at that priority (`chrt -a -r`), and go back to the
 * normal scheduler before the closed loop. It asks what the ack tail is when other work on the
 * machine cannot delay these processes at all. Opt-in, and only for the open loop: at 10,000 ev/s they
 * use about half a core, so the rest of the machine is never starved (the closed loop would be).
 */
const openRt = Number(process.env.BENCH_OPEN_RT ?? '0');
function realtime(pids: number[], on: boolean): void {
  for (const pid of pids) {
    try {
      execFileSync('chrt', on ? ['-a', '-r', '-p', String(openRt), String(pid)] : ['-a', '-o', '-p', '0', String(pid)], { stdio: 'ignore' });
    } catch (err) {
      process.stderr.write(`chrt ${pid}: ${(err as Error).message}\n`);
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function benchStorage(storage: 'postgres' | 'pglite', run: number): Promise<RunRow[]> {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let copyRate: () => Promise<number>;
  let dbUrl: string | undefined;
  if (storage === 'postgres') {
    const db = await createPostgresDatabase();
    dbUrl = db.url;
    if (new URL(db.url).port !== new URL(process.env.VERITAS_TEST_DATABASE_URL!).port)
      throw new Error(`the bench database ${db.url} is not on the bench's cluster`);
    await checkDurable(db.url);
    env = { DATABASE_URL: db.url };
    cleanup = db.drop;
    copyRate = () => copyRateInProcess('postgres', db.url, 200_000);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'veritas-bench-'));
    env = { VERITAS_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    copyRate = () => copyRateInProcess('pglite', undefined, 200_000);
  }
  const rows: RunRow[] = [];
  const server = await startServerProcess(env, serverCpus);
  const load = new LoadProcess(loadCpus);
  // The COPY baseline brackets the loads in time (three before, with the server up and idle, three
  // after it stops): on a shared machine the rate of one COPY moves with whatever else runs.
  const copies: number[] = [];
  try {
    for (let i = 0; i < 3; i++) copies.push(await copyRate());
    // Enough sealed batches for the closed loop to run the whole time; all sealed before any timing.
    const perClient = Math.ceil((seconds * 4000) / clients) + 5;
    process.stderr.write(`[${storage} #${run}] sealing ${clients} clients × ${perClient} batches of ${batch} (load ${loadavg()[0]!.toFixed(2)})…\n`);
    const sealClosed = await load.order({ kind: 'prepare', tag: 'closed', url: server.url, clients, batchesEach: perClient, batchSize: batch }, 'prepared');
    const sealOpen = await load.order(
      { kind: 'prepare', tag: 'open', url: server.url, clients, batchesEach: Math.ceil(seconds * (rate / batch / clients)) + 2, batchSize: batch },
      'prepared',
    );
    const sealUsPerBatch = ((sealClosed.sealSeconds + sealOpen.sealSeconds) / (sealClosed.batches + sealOpen.batches)) * 1e6;

    for (const [tag, intervalMs] of [
      ['open', (clients * batch * 1000) / rate],
      ['closed', 0],
    ] as const) {
      process.stderr.write(
        `[${storage} #${run}] ${new Date().toISOString()} ${tag} loop${tag === 'open' ? ` at ${rate} events/s offered` : ' (as fast as acks return)'}…\n`,
      );
      const pgAtStart = dbUrl ? await postgresPids(dbUrl) : { backends: [], background: [] };
      const serverCpu0 = processCpuSeconds(server.proc.pid!);
      const backends = new CpuWindow(pgAtStart.backends);
      const background = new CpuWindow(pgAtStart.background);
      const machine0 = machineCpuSeconds();
      const load1 = loadavg()[0]!;
      const rtPids = tag === 'open' && openRt > 0 ? [server.proc.pid!, load.pid, ...pgAtStart.backends] : [];
      realtime(rtPids, true);
      const started = performance.now();
      const r = await load.order({ kind: 'run', tag, url: server.url, batchSize: batch, intervalMs, seconds }, 'ran');
      const wall = (performance.now() - started) / 1000;
      realtime(rtPids, false);
      const machine1 = machineCpuSeconds();
      const pgAtEnd = dbUrl ? await postgresPids(dbUrl) : { backends: [], background: [] };
      const cores = (s: number) => s / wall;
      const serverCores = cores(processCpuSeconds(server.proc.pid!) - serverCpu0);
      const pgCores = cores(backends.used(pgAtEnd.backends));
      const pgBackgroundCores = cores(background.used(pgAtEnd.background));
      const loadCores = cores(r.cpuSeconds);
      const busyCores = cores(machine1.busy - machine0.busy);
      const totalCores = cores(machine1.total - machine0.total);
      rows.push({
        label: values.label ?? '',
        at: new Date().toISOString(),
        nice: BENCH_NICE,
        loadClient: LOAD_CLIENT,
        realtime: rtPids.length > 0 ? openRt : 0,
        pinned: { server: serverCpus ?? null, load: loadCpus ?? null },
        storage,
        run,
        load: tag,
        offered: tag === 'open' ? rate : null,
        durable: r.rate,
        p50: percentile(r.latenciesMs, 50),
        p99: percentile(r.latenciesMs, 99),
        p50Steady: percentile(r.steadyLatenciesMs, 50),
        p99Steady: percentile(r.steadyLatenciesMs, 99),
        p99FromDue: percentile(r.fromDueMs, 99),
        lateP99: percentile(r.lateMs, 99),
        loadLoopDelay: r.loopDelayMs,
        errors: r.errors,
        copy: 0,
        loadavg: load1,
        sealUsPerBatch,
        cpu: {
          server: serverCores,
          postgres: pgCores,
          postgresBackground: pgBackgroundCores,
          loadGenerator: loadCores,
          other: busyCores - serverCores - pgCores - pgBackgroundCores - loadCores,
          idle: totalCores - busyCores,
        },
      });
    }
    await server.stop();
    load.stop();
    for (let i = 0; i < 3; i++) copies.push(await copyRate());
    const copy = median(copies);
    for (const row of rows) {
      row.copy = copy;
      row.copyRange = [Math.min(...copies), Math.max(...copies)];
    }
  } finally {
    await server.stop();
    load.stop();
    await cleanup();
  }
  return rows;
}

const storages = values.storage === 'both' ? (['postgres', 'pglite'] as const) : ([values.storage] as ('postgres' | 'pglite')[]);
const all: RunRow[] = [];
for (let run = 1; run <= runs; run++) {
  for (const s of storages) {
    const rows = await benchStorage(s, run);
    all.push(...rows);
    if (values.out) for (const r of rows) appendFileSync(values.out, JSON.stringify(r) + '\n');
  }
}
console.log(
  `\ningest: ${clients} clients, batches of ${batch} events, ${seconds} s per load, ${runs} run(s), node ${process.version}` +
    `, nice ${BENCH_NICE}, ${LOAD_CLIENT} load client${openRt > 0 ? `, open loop real-time (chrt -r ${openRt})` : ''}${serverCpus ? `, server on CPU ${serverCpus}` : ''}${loadCpus ? `, load generator on CPU ${loadCpus}` : ''}\n`,
);
printSummary(all);
