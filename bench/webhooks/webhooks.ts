/**
 * bench/webhooks (issue 14): deliveries per second to a local receiver and the delay from the event to
 * its delivery (p50/p99) while webhook events are made at `--rate`/s (default 1,000), beside the ingest
 * throughput of the same run, with and without webhooks. Target: ingest with webhooks within 5% of
 * ingest without.
 *
 *   npx tsx bench/webhooks/webhooks.ts [--runs 3] [--seconds 10] [--rate 1000] [--clients 16]
 *        [--attempts 2000] [--exams 100] [--tenants 1] [--inflight 256] [--out runs.jsonl] [--label text]
 *        [--database-url postgres://postgres@127.0.0.1:5547/test]
 *
 * Needs the bench's own PostgreSQL cluster (never the shared one):
 *   PGDATA_DIR=/work/bench-webhooks/data PGPORT=5547 sh bench/ingest/pg-cluster.sh start
 * Each run: a fresh database on it (seed.ts: `--attempts` submitted attempts of distinct students over
 * `--exams` exams, per tenant); `veritas serve` on it in its own process; the receiver
 * (receiver-process.ts), the grader (grader-process.ts) and bench/ingest's load generator each in a
 * process of their own, all at BENCH_NICE (default −15) in autogroups of their own. Two phases of
 * `--seconds` on the same server, in alternating order from run to run: `none` (the endpoints
 * disabled) and `webhooks` (each tenant's endpoint, subscribed to attempt.graded, enabled). Both phases
 * run the same two loads together: closed-loop ingest (`--clients` sessions, pre-sealed batches of 50
 * events, the next sent when the last is acknowledged) and grades offered open-loop at `--rate`/s.
 * After a webhooks phase the bench waits until every message stored during it has arrived.
 */
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { DEMO_PASSWORD } from '@veritas/server';
import { BENCH_NICE, startServerProcess } from '../ingest/server-process';
import { LoadProcess } from '../ingest/load-client';
import { CpuWindow, machineCpuSeconds, postgresPids, processCpuSeconds } from '../ingest/cpu';
import { Child } from '../shared/child';
import { seedWorld } from './seed';
import type { GraderOrder, GraderReply, Target } from './grader-process';
import type { ReceiverOrder, ReceiverReply } from './receiver-process';
import { printSummary, type PhaseRow } from './summary';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '16' },
    attempts: { type: 'string', default: '2000' },
    exams: { type: 'string', default: '100' },
    tenants: { type: 'string', default: '1' },
    inflight: { type: 'string', default: '256' },
    out: { type: 'string' },
    label: { type: 'string', default: '' },
    'database-url': { type: 'string', default: process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5547/test' },
  },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const CLIENTS = Number(values.clients);
const TENANTS = Number(values.tenants);
const ADMIN_URL = values['database-url'];
if (new URL(ADMIN_URL).port === '5432') throw new Error('bench/webhooks runs on a cluster of its own, never the shared one on 5432');
const BATCH = 50;
/** Longest wait for the messages of a phase to arrive after it ends. */
const DRAIN_CEILING_MS = 300_000;
const INVOCATION = new Date().toISOString();
const script = (name: string) => fileURLToPath(new URL(name, import.meta.url));

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Durability is part of what is measured: a cluster that does not flush each commit is refused. */
async function checkDurable(url: string): Promise<void> {
  await withClient(url, async (c) => {
    const r = await c.query<{ name: string; setting: string }>(`select name, setting from pg_settings where name in ('synchronous_commit', 'fsync')`);
    for (const { name, setting } of r.rows) if (setting !== 'on') throw new Error(`${name} is ${setting}: the bench measures durable writes`);
  });
}

async function call<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** What PostgreSQL did for the bench database during a phase: commits, WAL flushes, the costliest statements. */
async function pgCounters(adminUrl: string, db: string): Promise<{ commits: number; walSyncs: number }> {
  return withClient(adminUrl, async (c) => {
    const x = await c.query<{ n: string }>(`select xact_commit as n from pg_stat_database where datname = $1`, [db]);
    const w = await c.query<{ n: string }>(`select wal_sync as n from pg_stat_wal`);
    return { commits: Number(x.rows[0]?.n ?? 0), walSyncs: Number(w.rows[0]?.n ?? 0) };
  });
}
async function topStatements(adminUrl: string, db: string): Promise<{ query: string; calls: number; totalMs: number; meanMs: number }[]> {
  return withClient(adminUrl, async (c) => {
    const r = await c.query<{ query: string; calls: string; total: number; mean: number }>(
      `select left(regexp_replace(s.query, '\\s+', ' ', 'g'), 160) as query, s.calls, s.total_exec_time as total, s.mean_exec_time as mean
       from pg_stat_statements s join pg_database d on d.oid = s.dbid where d.datname = $1 order by s.total_exec_time desc limit 10`,
      [db],
    );
    return r.rows.map((x) => ({ query: x.query, calls: Number(x.calls), totalMs: Math.round(x.total), meanMs: Number(x.mean.toFixed(3)) }));
  });
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function oneRun(run: number): Promise<PhaseRow[]> {
  const world = await seedWorld(ADMIN_URL, { tenants: TENANTS, attempts: Number(values.attempts), exams: Number(values.exams) });
  const dbName = new URL(world.url).pathname.slice(1);
  await checkDurable(world.url);
  const server = await startServerProcess({ DATABASE_URL: world.url, VERITAS_WEBHOOKS_ALLOW_PRIVATE: 'true' });
  const receiver = new Child<ReceiverOrder, ReceiverReply>(script('./receiver-process.ts'));
  const grader = new Child<GraderOrder, GraderReply>(script('./grader-process.ts'));
  const load = new LoadProcess();
  const rows: PhaseRow[] = [];
  try {
    const base = server.url;
    const hookUrl = (await receiver.next('listening')).url;
    // Per tenant: its admin makes an API key for the grades and an endpoint on the receiver (disabled until a webhooks phase).
    const endpoints: { id: string; token: string }[] = [];
    const keys: string[] = [];
    const secrets: string[] = [];
    for (const t of world.tenants) {
      const { accessToken } = await call<{ accessToken: string }>(base, 'POST', '/v1/auth/login', { email: t.adminEmail, password: DEMO_PASSWORD });
      keys.push((await call<{ key: string }>(base, 'POST', '/v1/admin/api-keys', { name: 'bench grader', scopes: ['attempts:grade'] }, accessToken)).key);
      const e = await call<{ id: string; secret: string }>(base, 'POST', '/v1/admin/webhooks', { url: hookUrl, events: ['attempt.graded'] }, accessToken);
      await call(base, 'PATCH', `/v1/admin/webhooks/${e.id}`, { enabled: false }, accessToken);
      endpoints.push({ id: e.id, token: accessToken });
      secrets.push(e.secret);
    }
    await receiver.next('ok', { kind: 'secrets', secrets });
    const setEnabled = (enabled: boolean) => Promise.all(endpoints.map((e) => call(base, 'PATCH', `/v1/admin/webhooks/${e.id}`, { enabled }, e.token)));
    // Tenants interleaved: grade k of tenant t, then of tenant t+1, …
    const targets: Target[] = [];
    for (let k = 0; k < Number(values.attempts); k++) world.tenants.forEach((t, i) => targets.push({ attemptId: t.attemptIds[k]!, key: keys[i]! }));
    let from = 0;
    const grade = async (seconds: number) => {
      const r = await grader.next('ran', { kind: 'run', url: base, targets, from, rate: RATE, seconds, maxInflight: Number(values.inflight) });
      from = r.next;
      return r;
    };
    // Warm-up (not measured): the server's first grades run cold code and fill its pools.
    await grade(3);

    const order = run % 2 === 1 ? (['none', 'webhooks'] as const) : (['webhooks', 'none'] as const);
    for (const phase of order) {
      await setEnabled(phase === 'webhooks');
      const tag = `${phase}-${run}`;
      // Enough sealed batches for the closed loop to run the whole time (bench/ingest's margin); sealed before timing.
      const perClient = Math.ceil((SECONDS * 4000) / CLIENTS) + 5;
      process.stderr.write(`[run ${run}] ${phase}: sealing ${CLIENTS} × ${perClient} batches (load ${loadavg()[0]!.toFixed(2)})…\n`);
      await load.order({ kind: 'prepare', tag, url: base, clients: CLIENTS, batchesEach: perClient, batchSize: BATCH }, 'prepared');
      await receiver.next('arrivals', { kind: 'collect' }); // drops anything before the phase
      const madeBefore = await withClient(world.url, async (c) =>
        Number((await c.query<{ n: string }>('select count(*) as n from webhook_deliveries')).rows[0]!.n),
      );
      await withClient(ADMIN_URL, (c) => c.query('select pg_stat_statements_reset()'));
      const pg0 = await pgCounters(ADMIN_URL, dbName);
      const pgAtStart = await postgresPids(world.url);
      const backends = new CpuWindow(pgAtStart.backends);
      const background = new CpuWindow(pgAtStart.background);
      const cpu0 = [server.proc.pid!, load.pid, grader.pid, receiver.pid].map(processCpuSeconds);
      const machine0 = machineCpuSeconds();
      const load1 = loadavg()[0]!;
      process.stderr.write(`[run ${run}] ${new Date().toISOString()} ${phase}: ${SECONDS} s…\n`);
      const startedAt = Date.now();
      const started = performance.now();
      const [ingest, grades] = await Promise.all([
        load.order({ kind: 'run', tag, url: base, batchSize: BATCH, intervalMs: 0, seconds: SECONDS }, 'ran'),
        grade(SECONDS),
      ]);
      const wall = (performance.now() - started) / 1000;
      const endedAt = startedAt + SECONDS * 1000;
      const machine1 = machineCpuSeconds();
      const cpu1 = [server.proc.pid!, load.pid, grader.pid, receiver.pid].map(processCpuSeconds);
      const pgAtEnd = await postgresPids(world.url);
      const pg1 = await pgCounters(ADMIN_URL, dbName);
      const statements = await topStatements(ADMIN_URL, dbName);
      const cores = (s: number) => s / wall;
      const [serverC, loadC, graderC, receiverC] = cpu1.map((c, i) => cores(c - cpu0[i]!)) as [number, number, number, number];
      const pgC = cores(backends.used(pgAtEnd.backends));
      const pgBgC = cores(background.used(pgAtEnd.background));
      const busy = cores(machine1.busy - machine0.busy);

      // Every message stored during the phase, then wait for them all (by webhook-id) at the receiver.
      const made =
        (await withClient(world.url, async (c) => Number((await c.query<{ n: string }>('select count(*) as n from webhook_deliveries')).rows[0]!.n))) -
        madeBefore;
      const arrivals = { ids: [] as string[], at: [] as number[], stamped: [] as number[] };
      const unique = new Set<string>();
      let verified = 0;
      let refused = 0;
      const deadline = Date.now() + DRAIN_CEILING_MS;
      for (;;) {
        const a = await receiver.next('arrivals', { kind: 'collect' });
        arrivals.ids.push(...a.ids);
        arrivals.at.push(...a.at);
        arrivals.stamped.push(...a.stamped);
        for (const id of a.ids) unique.add(id);
        [verified, refused] = [a.verified, a.refused];
        if (unique.size >= made || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      const delays = arrivals.at.map((at, i) => at - arrivals.stamped[i]!);
      const lastArrival = arrivals.at.length > 0 ? Math.max(...arrivals.at) : NaN;
      const row: PhaseRow = {
        label: values.label ?? '',
        invocation: INVOCATION,
        at: new Date().toISOString(),
        run,
        phase,
        seconds: SECONDS,
        rate: RATE,
        clients: CLIENTS,
        tenants: TENANTS,
        nice: BENCH_NICE,
        loadavg: load1,
        ingestEvPerS: ingest.rate,
        ingestErrors: ingest.errors,
        ingestP99: pct(ingest.latenciesMs, 99),
        gradesPerS: grades.okPerS,
        grades: {
          sent: grades.sent,
          ok: grades.ok,
          failed: grades.failed,
          skipped: grades.skipped,
          statuses: grades.statuses,
          p50: grades.p50,
          p99: grades.p99,
        },
        made,
        delivered: unique.size,
        duplicates: arrivals.ids.length - unique.size,
        lost: Math.max(0, made - unique.size),
        verified,
        refused,
        deliveriesPerS: arrivals.at.filter((t) => t <= endedAt).length / SECONDS,
        deliveriesPerSOverall: unique.size > 0 ? unique.size / ((lastArrival - startedAt) / 1000) : 0,
        drainS: unique.size > 0 ? Math.max(0, (lastArrival - endedAt) / 1000) : 0,
        delayP50: pct(delays, 50),
        delayP99: pct(delays, 99),
        commitsPerS: (pg1.commits - pg0.commits) / wall,
        walSyncsPerS: (pg1.walSyncs - pg0.walSyncs) / wall,
        cpu: {
          server: serverC,
          postgres: pgC,
          postgresBackground: pgBgC,
          ingestLoad: loadC,
          grader: graderC,
          receiver: receiverC,
          rest: busy - serverC - pgC - pgBgC - loadC - graderC - receiverC,
          idle: cores(machine1.total - machine0.total) - busy,
        },
        statements,
      };
      process.stderr.write(
        `[run ${run}] ${phase}: ingest ${row.ingestEvPerS.toFixed(0)} ev/s, grades ${row.gradesPerS.toFixed(0)}/s (skipped ${grades.skipped}, failed ${grades.failed}),` +
          ` made ${made}, delivered ${unique.size}, ${row.deliveriesPerS.toFixed(0)}/s in phase, drain ${row.drainS.toFixed(1)} s,` +
          ` delay p50 ${row.delayP50.toFixed(0)} ms p99 ${row.delayP99.toFixed(0)} ms; load ${load1.toFixed(2)}\n`,
      );
      rows.push(row);
      if (values.out) appendFileSync(values.out, JSON.stringify(row) + '\n');
    }
  } finally {
    load.stop();
    grader.stop();
    receiver.stop();
    await server.stop();
    await world.drop();
  }
  return rows;
}

console.log(
  `bench/webhooks: ${RUNS} runs, ${SECONDS} s per phase, grades offered at ${RATE}/s (${values.attempts} attempts over ${values.exams} exams, ${TENANTS} tenant(s), ` +
    `at most ${values.inflight} in flight), closed-loop ingest with ${CLIENTS} clients; nice ${BENCH_NICE}; ${new Date().toISOString()}, load ${loadavg()[0]!.toFixed(2)}`,
);
const all: PhaseRow[] = [];
for (let run = 1; run <= RUNS; run++) all.push(...(await oneRun(run)));
printSummary(all);
