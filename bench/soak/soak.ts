/**
 * bench/soak (issue 16): steady mixed load for `--minutes` on PostgreSQL + Redis — ingest, live
 * viewers, analysis jobs, webhooks — with, per minute, each load's throughput, p50/p99 latencies,
 * errors, and the memory of every process; then, after the warm-up, the least-squares slope of each
 * process's memory with its 95% interval (target: no growth trend).
 *
 *   nice -n 10 npx tsx bench/soak/soak.ts [--minutes 10] [--runs 3] [--warmup 2] [--rate 2000] [--sessions 40]
 *     [--watched 10] [--batch 50] [--session-seconds 60] [--viewers 150] [--viewer-procs 3] [--churn 1|0] [--bound 0.5] [--out rows.jsonl]
 *
 * As root: starts its own PostgreSQL cluster (bench/ingest/pg-cluster.sh, PGDATA_DIR /work/bench-soak/data,
 * port 5546) and, per run, its own Redis (port 6391) and a fresh database seeded with the demo
 * institution; `veritas serve --role api` and `--role worker` as their own processes (BENCH_NICE as
 * in bench/ingest), the webhook receiver, the writers and the viewers in processes of their own.
 * Stops all of them at the end.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEMO_PASSWORD, loadConfig, migrateToLatest, openDatabase, seedDemoPeople } from '@veritas/server';
import { startServerProcess, BENCH_NICE } from '../ingest/server-process';
import { CpuWindow, processCpuSeconds } from '../ingest/cpu';
import { Histogram, type HistogramData } from '../live/histogram';
import { fmt, int, medianRange, now, openViewers, report, sleep, table, Viewers } from '../live/common';
import { Child } from '../shared/child';
import { clusterMemory, clusterPids, heapAfterGcMb, redisInfo, rssMb } from './memory';
import { noGrowth, slopeWithInterval } from './trend';
import type { LoadOrder, LoadReply } from './load-process';
import type { ReceiverOrder, ReceiverReply } from './receiver-process';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string', default: '2000' },
    sessions: { type: 'string', default: '40' },
    watched: { type: 'string', default: '10' },
    batch: { type: 'string', default: '50' },
    'session-seconds': { type: 'string', default: '60' },
    viewers: { type: 'string', default: '150' },
    'viewer-procs': { type: 'string', default: '3' },
    churn: { type: 'string', default: '1' },
    'sample-seconds': { type: 'string', default: '5' },
    bound: { type: 'string', default: '0.5' },
    out: { type: 'string' },
  },
});
const MINUTES = Number(values.minutes);
const RUNS = Number(values.runs);
const WARMUP = Number(values.warmup);
const BOUND = Number(values.bound) / 100;
const PG_DIR = process.env.PGDATA_DIR ?? '/work/bench-soak/data';
const PG_PORT = Number(process.env.PGPORT ?? 5546);
const REDIS_PORT = Number(process.env.BENCH_SOAK_REDIS_PORT ?? 6391);
const WORK = dirname(PG_DIR);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
// The API's and the worker's heap is read after a full collection (heap-probe.mjs, on SIGUSR2).
process.env.BENCH_SERVER_NODE_ARGS =
  `${process.env.BENCH_SERVER_NODE_ARGS ?? ''} --expose-gc --import ${new URL('./heap-probe.mjs', import.meta.url).href}`.trim();

/** The processes whose memory is judged, and how each is read. */
const JUDGED = ['API RSS', 'API heap after GC', 'worker RSS', 'worker heap after GC', 'receiver RSS', 'PostgreSQL private', 'Redis RSS', 'Redis used'] as const;
type Judged = (typeof JUDGED)[number];
/**
 * Read and printed, not judged: the cluster's whole Pss counts shared_buffers (an allocation fixed by
 * the configuration) only as each process first touches its pages, so it climbs on a cold cluster
 * with no leak; 'PostgreSQL private' (Pss without shared memory) is what a backend leak would move.
 */
const SHOWN = [...JUDGED, 'PostgreSQL PSS', 'load generator RSS', 'viewers RSS'] as const;

interface Minute {
  run: number;
  minute: number;
  at: string;
  load1: number;
  ingest: { evPerS: number; p50: number; p99: number; errors: number; ends: number; endErrors: number; createErrors: number; endP99: number };
  live: { perS: number; p50: number; p99: number; gaps: number; duplicates: number; dropped: number; open: number; reopenFailed: number };
  /** From the database (rows of `analyses`), and ended sessions not analysed yet at the minute's end. */
  analysesPerMin: number;
  analysisBacklog: number;
  webhooks: { perMin: number; p50: number; p99: number; repeats: number };
  memory: Record<(typeof SHOWN)[number], number>;
  cores: { api: number; worker: number; postgres: number };
  hist: { acks: HistogramData; live: HistogramData; webhooks: HistogramData };
}

interface RunResult {
  run: number;
  minutes: Minute[];
  totals: { ended: number; toldEnded: number; toldAnalysed: number; drainS: number; liveDelivered: number; liveExpected: number; viewersOpened: string };
}

const mean = (xs: number[]) => xs.filter(Number.isFinite).reduce((a, b, _, f) => a + b / f.length, 0);

function diff(cur: HistogramData, prev: HistogramData): Histogram {
  const before = new Map(prev);
  const h = new Histogram();
  h.merge(cur.map(([b, n]): [number, number] => [b, n - (before.get(b) ?? 0)]).filter(([, n]) => n > 0));
  return h;
}

function merged(...data: HistogramData[]): Histogram {
  const h = new Histogram();
  for (const d of data) h.merge(d);
  return h;
}

async function json<T>(r: Response | Promise<Response>, expect: number, what: string): Promise<T> {
  const res = await r;
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}
const post = (url: string, body: unknown, token?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

async function withAdmin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${PG_PORT}/postgres` });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

type Server = Awaited<ReturnType<typeof startServerProcess>>;

function startRedis(): { pid: number } {
  // One left by a run that was killed goes first (the port is the bench's own).
  try {
    stopRedis();
  } catch {
    // none running
  }
  execFileSync('redis-server', ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes']);
  for (let i = 0; i < 50; i++) {
    try {
      const { pid } = redisInfo(REDIS_PORT);
      if (Number.isInteger(pid)) return { pid };
    } catch {
      // not answering yet
    }
    execFileSync('sleep', ['0.1']);
  }
  throw new Error(`redis on ${REDIS_PORT} did not answer`);
}
const stopRedis = () => execFileSync('redis-cli', ['-p', String(REDIS_PORT), 'shutdown', 'nosave'], { stdio: 'ignore' });

async function oneRun(run: number): Promise<RunResult> {
  const name = `veritas_soak_${run}_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`create database ${name}`));
  const dbUrl = `postgres://postgres@127.0.0.1:${PG_PORT}/${name}`;
  const dataDir = `${WORK}/run-${run}`;
  mkdirSync(dataDir, { recursive: true });
  {
    const { database } = await openDatabase(loadConfig({ DATABASE_URL: dbUrl }, { logLevel: 'silent' }));
    await migrateToLatest(database.db);
    await seedDemoPeople(database);
    await database.close();
  }
  const redis = startRedis();
  const env = {
    BENCH_HEAP_DIR: dataDir,
    DATABASE_URL: dbUrl,
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
    VERITAS_DATA_DIR: dataDir,
    VERITAS_WEBHOOKS_ALLOW_PRIVATE: 'true',
  };
  const receiver = new Child<ReceiverOrder, ReceiverReply>(here('./receiver-process.ts'));
  const load = new Child<LoadOrder, LoadReply>(here('./load-process.ts'));
  const viewers = Array.from({ length: Number(values['viewer-procs']) }, () => new Viewers());
  /** API and worker, stopped in the opposite order. */
  const servers: Server[] = [];
  try {
    const api = await startServerProcess({ ...env, VERITAS_ROLE: 'api' });
    servers.push(api);
    const worker = await startServerProcess({ ...env, VERITAS_ROLE: 'worker' });
    servers.push(worker);
    const hookUrl = (await receiver.ask({ kind: 'listen' }, 'listening')).url;
    const { accessToken } = await json<{ accessToken: string }>(
      post(`${api.url}/v1/auth/login`, { email: 'admin@demo.veritas.test', password: DEMO_PASSWORD }),
      200,
      'sign-in',
    );
    const { key } = await json<{ key: string }>(
      post(`${api.url}/v1/admin/api-keys`, { name: 'soak', scopes: ['sessions:write', 'sessions:read'] }, accessToken),
      201,
      'api key',
    );
    await json(post(`${api.url}/v1/admin/webhooks`, { url: hookUrl, events: ['session.ended', 'analysis.done'] }, accessToken), 201, 'webhook endpoint');
    const { watched } = await load.ask(
      {
        kind: 'prepare',
        url: api.url,
        apiKey: key,
        sessions: Number(values.sessions),
        watched: Number(values.watched),
        batch: Number(values.batch),
        rate: Number(values.rate),
        sessionSeconds: Number(values['session-seconds']),
      },
      'prepared',
    );
    const targets = Array.from({ length: Number(values.viewers) }, (_, v) => ({
      url: `${api.url}/v1/sessions/${watched[v % watched.length]}/live`,
      headers: { authorization: `Bearer ${key}` },
    }));
    const opened = await openViewers(viewers, targets);
    // With --churn, the last viewer process closes its streams at each minute's end and opens them again
    // from the sessions' current seq: viewers come and go, as a proctor's do, and the server's
    // per-connection state is made and released all through the run. The others stay open throughout.
    const churner = values.churn !== '0' && viewers.length > 1 ? viewers.at(-1)! : undefined;
    const steadyViewers = churner ? viewers.slice(0, -1) : viewers;
    const churnTargets = targets.filter((_, j) => j % viewers.length === viewers.length - 1);
    process.stderr.write(`[run ${run}] ${new Date().toISOString()} ${opened.ok} viewers open (${opened.failed} failed), load ${loadavg()[0]!.toFixed(1)}\n`);

    const counter = new pg.Client({ connectionString: dbUrl });
    counter.on('error', () => {});
    await counter.connect();
    const analysed = async () => Number((await counter.query<{ n: string }>('select count(*) as n from analyses')).rows[0]!.n);
    let prevAnalysed = await analysed();
    let endedSoFar = 0;
    await load.ask({ kind: 'start' }, 'started');
    const t0 = now();
    let prevLive = await report(viewers);
    let prevLiveData = prevLive.latency.data();
    const minutes: Minute[] = [];
    for (let minute = 1; minute <= MINUTES; minute++) {
      const end = t0 + minute * 60_000;
      const cpu0 = {
        at: now(),
        api: processCpuSeconds(api.proc.pid!),
        worker: processCpuSeconds(worker.proc.pid!),
        pg: new CpuWindow(clusterPids(PG_DIR)),
      };
      const samples: Minute['memory'][] = [];
      for (;;) {
        const pgMemory = clusterMemory(PG_DIR);
        samples.push({
          'API RSS': rssMb(api.proc.pid!),
          'API heap after GC': Number.NaN,
          'worker RSS': rssMb(worker.proc.pid!),
          'worker heap after GC': Number.NaN,
          'receiver RSS': rssMb(receiver.pid),
          'PostgreSQL PSS': pgMemory.pssMb,
          'PostgreSQL private': pgMemory.privateMb,
          'Redis RSS': rssMb(redis.pid),
          'Redis used': Number.NaN,
          'load generator RSS': rssMb(load.pid),
          'viewers RSS': viewers.reduce((s, v) => s + rssMb(v.pid), 0),
        });
        const left = end - now();
        if (left <= 0) break;
        await sleep(Math.min(Number(values['sample-seconds']) * 1000, left));
      }
      const [l, w, lv, apiHeap, workerHeap, analysedNow] = await Promise.all([
        load.ask({ kind: 'minute' }, 'minute'),
        receiver.ask({ kind: 'minute' }, 'minute'),
        report(viewers),
        heapAfterGcMb(api.proc.pid!, dataDir),
        heapAfterGcMb(worker.proc.pid!, dataDir),
        analysed(),
      ]);
      endedSoFar += l.ended;
      const acks = merged(l.acks);
      const liveNow = lv.latency.data();
      const liveMin = diff(liveNow, prevLiveData);
      const hooks = merged(w.delay);
      const memory = Object.fromEntries(Object.keys(samples[0]!).map((k) => [k, mean(samples.map((s) => s[k as keyof Minute['memory']]))])) as Minute['memory'];
      memory['API heap after GC'] = apiHeap;
      memory['worker heap after GC'] = workerHeap;
      memory['Redis used'] = redisInfo(REDIS_PORT).usedMb;
      const row: Minute = {
        run,
        minute,
        at: new Date().toISOString(),
        load1: loadavg()[0]!,
        ingest: {
          evPerS: l.events / 60,
          p50: acks.quantile(0.5),
          p99: acks.quantile(0.99),
          errors: l.errors,
          ends: l.ended,
          endErrors: l.endErrors,
          createErrors: l.createErrors,
          endP99: merged(l.ends).quantile(0.99),
        },
        live: {
          perS: (lv.deliveries - prevLive.deliveries) / 60,
          p50: liveMin.quantile(0.5),
          p99: liveMin.quantile(0.99),
          gaps: lv.gaps - prevLive.gaps,
          duplicates: lv.duplicates - prevLive.duplicates,
          dropped: lv.dropped - prevLive.dropped,
          open: lv.open,
          reopenFailed: 0,
        },
        analysesPerMin: analysedNow - prevAnalysed,
        analysisBacklog: endedSoFar - analysedNow,
        webhooks: { perMin: Object.values(w.byType).reduce((a, b) => a + b, 0), p50: hooks.quantile(0.5), p99: hooks.quantile(0.99), repeats: w.repeats },
        memory,
        cores: {
          api: (processCpuSeconds(api.proc.pid!) - cpu0.api) / ((now() - cpu0.at) / 1000),
          worker: (processCpuSeconds(worker.proc.pid!) - cpu0.worker) / ((now() - cpu0.at) / 1000),
          postgres: cpu0.pg.used(clusterPids(PG_DIR)) / ((now() - cpu0.at) / 1000),
        },
        hist: { acks: l.acks, live: liveMin.data(), webhooks: w.delay },
      };
      prevLive = lv;
      prevLiveData = liveNow;
      prevAnalysed = analysedNow;
      if (churner && minute < MINUTES) {
        await churner.order({ kind: 'close' }, 'closed');
        const seqOf = new Map(watched.map((id, i) => [id, l.watchedSeq[i]!]));
        const urls = churnTargets.map((t) => ({ ...t, url: `${t.url}?after=${seqOf.get(t.url.split('/').at(-2)!)! - 1}` }));
        const again = await churner.order({ kind: 'open', urls, concurrency: 50 }, 'opened');
        row.live.reopenFailed = again.failed;
      }
      minutes.push(row);
      if (values.out) appendFileSync(values.out, JSON.stringify({ ...row, hist: undefined }) + '\n');
      process.stderr.write(
        `[run ${run}] min ${minute}: ingest ${int(row.ingest.evPerS)} ev/s p99 ${fmt(row.ingest.p99)} ms, live ${int(row.live.perS)}/s p99 ${fmt(row.live.p99)} ms, ` +
          `analyses ${row.analysesPerMin}/min, webhooks ${row.webhooks.perMin}/min p99 ${int(row.webhooks.p99)} ms, API ${int(memory['API RSS'])} MB, worker ${int(memory['worker RSS'])} MB, load ${row.load1.toFixed(1)}\n`,
      );
    }

    await counter.end();
    // Stop writing and end every session; then wait until each ended session was told ended and analysed.
    const stopped = await load.ask({ kind: 'stop' }, 'stopped');
    await sleep(2000);
    // Every event of a watched session reaches each of its viewers that stayed open all the run.
    const finalLive = await report(steadyViewers);
    const viewersOn = new Map<string, number>();
    for (const t of targets.filter((x) => !churnTargets.includes(x) || !churner)) viewersOn.set(t.url, (viewersOn.get(t.url) ?? 0) + 1);
    const liveExpected = watched.reduce((s, id, i) => s + stopped.watchedEvents[i]! * (viewersOn.get(`${api.url}/v1/sessions/${id}/live`) ?? 0), 0);
    const drainFrom = now();
    let told = await receiver.ask({ kind: 'minute' }, 'minute');
    while ((told.endedSessions < stopped.ended || told.analysedSessions < stopped.ended) && now() - drainFrom < 180_000) {
      await sleep(2000);
      told = await receiver.ask({ kind: 'minute' }, 'minute');
    }
    return {
      run,
      minutes,
      totals: {
        ended: stopped.ended,
        toldEnded: told.endedSessions,
        toldAnalysed: told.analysedSessions,
        drainS: (now() - drainFrom) / 1000,
        liveDelivered: finalLive.deliveries,
        liveExpected,
        viewersOpened: `${opened.ok}/${targets.length}`,
      },
    };
  } finally {
    // A viewer process that died would never answer: its close is given 10 s.
    await Promise.all(viewers.map((v) => Promise.race([v.order({ kind: 'close' }, 'closed').catch(() => undefined), sleep(10_000)])));
    for (const v of viewers) v.stop();
    load.stop();
    receiver.stop();
    for (const server of servers.reverse()) await stopWithin(server);
    await quietly(async () => stopRedis());
    await quietly(() => withAdmin((c) => c.query(`drop database if exists ${name} with (force)`)));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Teardown goes on past a step that fails (the run's own error, if any, is the one reported). */
async function quietly(step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (err) {
    process.stderr.write(`teardown: ${(err as Error).message}\n`);
  }
}

/** SIGTERM, and SIGKILL if the process has not exited 30 s later (a job that does not finish). */
async function stopWithin(server: Server): Promise<void> {
  const timer = setTimeout(() => server.proc.kill('SIGKILL'), 30_000);
  await server.stop();
  clearTimeout(timer);
}

const ms = (x: number) => (Number.isFinite(x) ? (x < 100 ? fmt(x) : int(x)) : '—');

function printRun(r: RunResult): void {
  console.log(`\n### Run ${r.run}\n`);
  console.log(
    table(
      [
        'min',
        'load avg',
        'ingest ev/s',
        'ack p50 / p99 ms',
        'ingest errors',
        'live msg/s',
        'live p50 / p99 ms',
        'analyses/min (backlog)',
        'webhooks/min',
        'webhook delay p50 / p99 ms',
        'other errors',
      ],
      r.minutes.map((m) => [
        m.minute,
        fmt(m.load1),
        int(m.ingest.evPerS),
        `${ms(m.ingest.p50)} / ${ms(m.ingest.p99)}`,
        m.ingest.errors,
        int(m.live.perS),
        `${ms(m.live.p50)} / ${ms(m.live.p99)}`,
        `${m.analysesPerMin} (${m.analysisBacklog})`,
        m.webhooks.perMin,
        `${ms(m.webhooks.p50)} / ${ms(m.webhooks.p99)}`,
        m.ingest.endErrors + m.ingest.createErrors + m.live.gaps + m.live.duplicates + m.live.dropped + m.live.reopenFailed,
      ]),
    ),
  );
  console.log('');
  console.log(
    table(
      ['min', ...SHOWN.map((k) => `${k} MB`), 'cores API / worker / PG'],
      r.minutes.map((m) => [
        m.minute,
        ...SHOWN.map((k) => fmt(m.memory[k])),
        `${fmt(m.cores.api, 2)} / ${fmt(m.cores.worker, 2)} / ${fmt(m.cores.postgres, 2)}`,
      ]),
    ),
  );
  const t = r.totals;
  console.log(
    `\nSessions ended ${t.ended}; told ended ${t.toldEnded}, told analysed ${t.toldAnalysed} (drained ${fmt(t.drainS)} s after the load); ` +
      `live deliveries to the viewers open all the run ${int(t.liveDelivered)} of ${int(t.liveExpected)} expected; viewers opened ${t.viewersOpened}.`,
  );
  console.log('');
  console.log(
    table(
      ['process', `baseline MB (min ${WARMUP + 1})`, `last MB (min ${MINUTES})`, 'last ÷ baseline', 'slope MB/min (95% CI)', 'slope %/min', 'verdict'],
      JUDGED.map((k) => {
        const v = verdict(r, k);
        return [
          k,
          fmt(v.baseline),
          fmt(v.last),
          fmt(v.last / v.baseline, 3),
          `${fmt(v.trend.slope, 2)} (${fmt(v.trend.low, 2)} to ${fmt(v.trend.high, 2)})`,
          fmt((100 * v.trend.slope) / v.baseline, 2),
          v.ok ? 'no growth trend' : '**growth**',
        ];
      }),
    ),
  );
}

function verdict(r: RunResult, k: Judged) {
  const after = r.minutes.filter((m) => m.minute > WARMUP);
  const ys = after.map((m) => m.memory[k]);
  const trend = slopeWithInterval(
    after.map((m) => m.minute),
    ys,
  );
  const baseline = ys[0] ?? Number.NaN;
  return { baseline, last: ys.at(-1) ?? Number.NaN, trend, ok: noGrowth(trend, baseline, BOUND) };
}

/** Post-warm-up figures of a run, for the summary over runs. */
function steady(r: RunResult) {
  const after = r.minutes.filter((m) => m.minute > WARMUP);
  const sumOf = (f: (m: Minute) => number) => after.reduce((s, m) => s + f(m), 0);
  return {
    load: mean(after.map((m) => m.load1)),
    ingest: mean(after.map((m) => m.ingest.evPerS)),
    ackP99: merged(...after.map((m) => m.hist.acks)).quantile(0.99),
    ackP50: merged(...after.map((m) => m.hist.acks)).quantile(0.5),
    live: mean(after.map((m) => m.live.perS)),
    liveP99: merged(...after.map((m) => m.hist.live)).quantile(0.99),
    liveP50: merged(...after.map((m) => m.hist.live)).quantile(0.5),
    analyses: mean(after.map((m) => m.analysesPerMin)),
    backlog: Math.max(...after.map((m) => m.analysisBacklog)),
    cores: { api: mean(after.map((m) => m.cores.api)), worker: mean(after.map((m) => m.cores.worker)), pg: mean(after.map((m) => m.cores.postgres)) },
    webhooks: mean(after.map((m) => m.webhooks.perMin)),
    hookP99: merged(...after.map((m) => m.hist.webhooks)).quantile(0.99),
    hookP50: merged(...after.map((m) => m.hist.webhooks)).quantile(0.5),
    errors: sumOf((m) => m.ingest.errors + m.ingest.endErrors + m.ingest.createErrors + m.live.gaps + m.live.duplicates + m.live.dropped + m.live.reopenFailed),
  };
}

function printSummary(results: RunResult[]): void {
  console.log(`\n### Over ${results.length} run(s): median (min–max) of the post-warm-up minutes (${WARMUP + 1}–${MINUTES})\n`);
  const s = results.map(steady);
  const row = (name: string, f: (x: ReturnType<typeof steady>) => number, d = 1): (string | number)[] => [name, medianRange(s.map(f), d)];
  console.log(
    table(
      ['measure', 'median (min–max)'],
      [
        row('load average (1 min)', (x) => x.load),
        row('ingest events/s', (x) => x.ingest, 0),
        row('ingest ack p50 ms (from due)', (x) => x.ackP50),
        row('ingest ack p99 ms (from due)', (x) => x.ackP99),
        row('live messages delivered/s', (x) => x.live, 0),
        row('live delivery p50 ms', (x) => x.liveP50),
        row('live delivery p99 ms', (x) => x.liveP99),
        row('analyses done/min', (x) => x.analyses),
        row('analysis backlog at a minute end, most', (x) => x.backlog, 0),
        row('webhooks delivered/min', (x) => x.webhooks),
        row('webhook delay p50 ms', (x) => x.hookP50, 0),
        row('webhook delay p99 ms', (x) => x.hookP99, 0),
        row('errors (ingest, end, create, live gaps/dups/drops, reopens)', (x) => x.errors, 0),
        row('cores: API', (x) => x.cores.api, 2),
        row('cores: worker', (x) => x.cores.worker, 2),
        row('cores: PostgreSQL (all processes)', (x) => x.cores.pg, 2),
      ],
    ),
  );
  console.log('');
  console.log(
    table(
      ['process', 'slope MB/min', 'slope %/min of baseline', 'last ÷ baseline', 'no growth trend'],
      JUDGED.map((k) => {
        const v = results.map((r) => verdict(r, k));
        return [
          k,
          medianRange(
            v.map((x) => x.trend.slope),
            2,
          ),
          medianRange(
            v.map((x) => (100 * x.trend.slope) / x.baseline),
            2,
          ),
          medianRange(
            v.map((x) => x.last / x.baseline),
            3,
          ),
          `${v.filter((x) => x.ok).length}/${v.length} runs`,
        ];
      }),
    ),
  );
}

const pgCluster = here('../ingest/pg-cluster.sh');
const clusterEnv = { ...process.env, PGDATA_DIR: PG_DIR, PGPORT: String(PG_PORT) };
try {
  execFileSync('sh', [pgCluster, 'start'], { env: clusterEnv, stdio: ['ignore', 'ignore', 'inherit'] });
} catch {
  // Left running by a run that was killed: stopped, then started again.
  execFileSync('sh', [pgCluster, 'stop'], { env: clusterEnv, stdio: 'ignore' });
  execFileSync('sh', [pgCluster, 'start'], { env: clusterEnv, stdio: ['ignore', 'ignore', 'inherit'] });
}
console.log(
  `bench/soak: ${RUNS} run(s) × ${MINUTES} min (warm-up ${WARMUP}), ingest ${values.rate} ev/s from ${values.sessions} sessions (batches of ${values.batch}; ` +
    `${values.watched} watched for the whole run, the others end every ${values['session-seconds']} s), ${values.viewers} SSE viewers; ` +
    `PostgreSQL :${PG_PORT}, Redis :${REDIS_PORT}, server nice ${BENCH_NICE}; node ${process.version}; ${new Date().toISOString()}, load ${loadavg()[0]!.toFixed(1)}`,
);
const results: RunResult[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    try {
      const r = await oneRun(run);
      results.push(r);
      printRun(r);
    } catch (err) {
      console.log(`\n### Run ${run} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
  if (results.length > 0) printSummary(results);
} finally {
  execFileSync('sh', [pgCluster, 'stop'], { env: clusterEnv, stdio: 'ignore' });
}
