/**
 * bench/auth/ingest-auth — What do the actor and the policy cost on the ingest path, against the
 * durable ingest throughput of the same run?
 *
 *   npx tsx bench/auth/ingest-auth.ts [--storage postgres|pglite] [--runs 3] [--clients 100] [--seconds 10]
 *
 * Per run:
 *  1. In this process, on an app built as in the tests (createTestApp: the real services and database),
 *     the per-batch cost of exactly what the auth and access hooks run for a batch sent with its write
 *     token (auth.ts resolveActor's write-token branch, then the access hook's checks and decide()),
 *     over 200 sessions in turn, as two awaited hooks like Fastify's; and apart, the write-token check
 *     alone (`credentials.actorFor`), which ingest needs whatever the hooks (it gives the writer its MAC key).
 *     Measured before and after the load; the median of the two is used.
 *  2. The durable ingest closed loop of bench/ingest (a `veritas serve` process, the load from a
 *     process of its own, 50-event batches, one in flight per client): durable events/s and the server
 *     process's CPU per batch.
 * The share is (hook cost per batch) ÷ (server CPU per batch): on the server's thread, which is the
 * limit of the closed loop (bench/ingest), removing the hooks could raise throughput by at most that
 * share. Target: within 5%.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { FastifyRequest } from 'fastify';
import { fmt, median, mr } from './common';
import { startServerProcess } from '../ingest/server-process';
import { LoadProcess } from '../ingest/load-client';
import { CpuWindow, machineCpuSeconds, postgresPids, processCpuSeconds } from '../ingest/cpu';
import { bearer, classifyBearer, hasMalformedSessionId, sessionIdOf, shareTokenOf } from '../../apps/server/src/http/plugins/auth';
import { enforceAccess } from '../../apps/server/src/http/plugins/access';
import type { Actor } from '../../apps/server/src/kernel/actor';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'postgres' },
    runs: { type: 'string', default: '3' },
    clients: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    iterations: { type: 'string', default: '100000' },
  },
});
const storage = values.storage as 'postgres' | 'pglite';
const runs = Number(values.runs);
const clients = Number(values.clients);
const seconds = Number(values.seconds);
const iterations = Number(values.iterations);
const BATCH = 50;
process.env.VERITAS_TEST_DATABASE_URL ??= process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (storage === 'postgres') process.env.VERITAS_TEST_DB = 'postgres';
const { createTestApp } = await import('../../apps/server/src/testing/test-app');
const { createPostgresDatabase } = await import('../../apps/server/src/testing/test-database');

interface HookCost {
  /** µs per batch: the auth hook's write-token branch and the access hook, as two awaited hooks. */
  hooks: number;
  /** µs per batch: the write-token check alone (credentials.actorFor), needed with or without the hooks. */
  tokenCheck: number;
}

/** Times the hooks' work per batch in this process, on the real services of an app. */
async function hookCost(): Promise<HookCost> {
  const t = await createTestApp({ rateLimit: { anonymousPerMinute: 1_000_000, ingestPerMinute: 1_000_000, socketsPerClient: 32 } });
  try {
    const { services, config } = t.app;
    const reqs: FastifyRequest[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/sessions', payload: { kind: 'writing' } });
      if (r.statusCode !== 201) throw new Error(`could not create a session: ${r.statusCode} ${r.body}`);
      const { id, writeToken } = r.json<{ id: string; writeToken: string }>();
      // What the hooks read of a request: the path's id, the Authorization header, the query.
      reqs.push({ params: { id }, headers: { authorization: `Bearer ${writeToken}` }, query: {} } as unknown as FastifyRequest);
    }
    // auth.ts resolveActor, the branch a batch with its write token takes (no JWT or API key shape, no share link).
    const authHook = async (req: FastifyRequest & { actor?: Actor }) => {
      const sessionId = sessionIdOf(req);
      const token = bearer(req);
      const credential = token === undefined ? undefined : classifyBearer(token);
      if (credential || sessionId === undefined) throw new Error('not the write-token branch');
      const share = shareTokenOf(req);
      if (share !== undefined && token === undefined) throw new Error('not the write-token branch');
      req.actor = await services.credentials.actorFor(sessionId, token);
    };
    // access.ts: the route declares ['writer'].
    const access = ['writer'] as const;
    const accessHook = async (req: FastifyRequest & { actor?: Actor }) => {
      if (hasMalformedSessionId(req)) return;
      for (const a of access) enforceAccess(req.actor!, a, sessionIdOf(req), config.publicSessions);
    };
    const tokenOnly = async (req: FastifyRequest) => {
      const id = (req.params as { id: string }).id;
      const token = req.headers.authorization!.slice('Bearer '.length);
      return services.credentials.actorFor(id, token);
    };
    const time = async (f: (req: FastifyRequest) => Promise<unknown>) => {
      for (let i = 0; i < 20_000; i++) await f(reqs[i % reqs.length]!); // warm-up (and the credential cache)
      const start = performance.now();
      for (let i = 0; i < iterations; i++) await f(reqs[i % reqs.length]!);
      return ((performance.now() - start) / iterations) * 1000;
    };
    const hooks = async (req: FastifyRequest) => {
      await authHook(req);
      await accessHook(req);
    };
    // Interleaved, best of three each: contention on the shared cores only adds time.
    const h: number[] = [];
    const k: number[] = [];
    for (let i = 0; i < 3; i++) {
      h.push(await time(hooks));
      k.push(await time(tokenOnly));
    }
    return { hooks: Math.min(...h), tokenCheck: Math.min(...k) };
  } finally {
    await t.close();
  }
}

interface Row {
  run: number;
  load1: number;
  durable: number;
  serverUsPerBatch: number;
  postgresUsPerBatch: number;
  hooks: number;
  tokenCheck: number;
  cores: { server: number; postgres: number; load: number; bench: number; other: number; idle: number };
}

async function closedLoop(run: number): Promise<Omit<Row, 'hooks' | 'tokenCheck'>> {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let dbUrl: string | undefined;
  if (storage === 'postgres') {
    const db = await createPostgresDatabase();
    dbUrl = db.url;
    env = { DATABASE_URL: db.url };
    cleanup = db.drop;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'veritas-bench-auth-'));
    env = { VERITAS_DATA_DIR: dir, DATABASE_URL: undefined };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const server = await startServerProcess(env);
  const load = new LoadProcess();
  try {
    const perClient = Math.ceil((seconds * 4000) / clients) + 5;
    await load.order({ kind: 'prepare', tag: 'closed', url: server.url, clients, batchesEach: perClient, batchSize: BATCH }, 'prepared');
    const pg0 = dbUrl ? await postgresPids(dbUrl) : { backends: [], background: [] };
    const backends = new CpuWindow(pg0.backends);
    const server0 = processCpuSeconds(server.proc.pid!);
    const load0 = processCpuSeconds(load.pid);
    const bench0 = process.cpuUsage();
    const m0 = machineCpuSeconds();
    const load1 = loadavg()[0]!;
    const started = performance.now();
    const r = await load.order({ kind: 'run', tag: 'closed', url: server.url, batchSize: BATCH, intervalMs: 0, seconds }, 'ran');
    const wall = (performance.now() - started) / 1000;
    const m1 = machineCpuSeconds();
    const pg1 = dbUrl ? await postgresPids(dbUrl) : { backends: [], background: [] };
    const serverS = processCpuSeconds(server.proc.pid!) - server0;
    const pgS = backends.used(pg1.backends);
    const loadS = processCpuSeconds(load.pid) - load0;
    const b = process.cpuUsage(bench0);
    const benchS = (b.user + b.system) / 1e6;
    // All batches acknowledged during the load (the rate counts the steady window only; the CPU is the whole load's).
    const batches = r.latenciesMs.length;
    if (r.errors > 0) throw new Error(`${r.errors} batches refused`);
    const busy = m1.busy - m0.busy;
    return {
      run,
      load1,
      durable: r.rate,
      serverUsPerBatch: (serverS / batches) * 1e6,
      postgresUsPerBatch: (pgS / batches) * 1e6,
      cores: {
        server: serverS / wall,
        postgres: pgS / wall,
        load: loadS / wall,
        bench: benchS / wall,
        other: (busy - serverS - pgS - loadS - benchS) / wall,
        idle: (m1.total - m0.total - busy) / wall,
      },
    };
  } finally {
    await server.stop();
    load.stop();
    await cleanup();
  }
}

const rows: Row[] = [];
for (let run = 1; run <= runs; run++) {
  const before = await hookCost();
  const loop = await closedLoop(run);
  const after = await hookCost();
  const row: Row = { ...loop, hooks: median([before.hooks, after.hooks]), tokenCheck: median([before.tokenCheck, after.tokenCheck]) };
  rows.push(row);
  process.stderr.write(
    `[${storage} #${run}] ${new Date().toISOString()} load ${row.load1.toFixed(2)}: ${fmt(row.durable)} ev/s, server ${fmt(row.serverUsPerBatch)} µs/batch, hooks ${fmt(
      row.hooks,
      2,
    )} µs/batch (token check ${fmt(row.tokenCheck, 2)}; before ${fmt(before.hooks, 2)}, after ${fmt(after.hooks, 2)})\n`,
  );
}

console.log(
  `\ningest auth: ${storage}, ${runs} run(s); closed loop ${clients} clients × batches of ${BATCH}, ${seconds} s; hooks timed over ${iterations} batches × 3; node ${process.version}\n`,
);
console.log('median (min–max) over runs; shares are computed within each run');
console.log('');
console.log(
  '| storage | runs | load avg | durable ev/s | server CPU µs/batch | PostgreSQL µs/batch | auth + access hooks µs/batch | of which the write-token check | added beyond the token check | hooks ÷ server CPU per batch | added ÷ server CPU per batch |',
);
console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${storage} | ${rows.length} | ${mr(
    rows.map((r) => r.load1),
    1,
  )} | ${mr(rows.map((r) => r.durable))} | ${mr(rows.map((r) => r.serverUsPerBatch))} | ${
    storage === 'postgres' ? mr(rows.map((r) => r.postgresUsPerBatch)) : '— (in the server)'
  } | ${mr(
    rows.map((r) => r.hooks),
    2,
  )} | ${mr(
    rows.map((r) => r.tokenCheck),
    2,
  )} | ${mr(
    rows.map((r) => r.hooks - r.tokenCheck),
    2,
  )} | ${mr(
    rows.map((r) => (r.hooks / r.serverUsPerBatch) * 100),
    2,
    '%',
  )} | ${mr(
    rows.map((r) => ((r.hooks - r.tokenCheck) / r.serverUsPerBatch) * 100),
    2,
    '%',
  )} |`,
);
const c = (k: keyof Row['cores']) => fmt(median(rows.map((r) => r.cores[k])), 2);
console.log(
  `\ncores during the closed loop (median): server ${c('server')}, PostgreSQL backends ${c('postgres')}, load generator ${c('load')}, bench process ${c(
    'bench',
  )}, other work ${c('other')}, idle ${c('idle')}`,
);
