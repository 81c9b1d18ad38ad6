/**
 * bench/ingest — How many events per second does ingest store durably, how fast are acks, and
 * how close is that to a raw COPY of the same rows into the same table (measured in the same run)?
 *
 *   npx tsx bench/ingest/ingest.ts [--clients 200] [--batch 50] [--seconds 10] [--rate 10000] [--storage both|postgres|pglite]
 *
 * Needs PostgreSQL at VERITAS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createPostgresDatabase } from '../../apps/server/src/testing/test-database';
import { startServerProcess } from './server-process';
import { percentile, prepareClients, runLoad } from './load';
import { copyRatePglite, copyRatePostgres } from './copy-baseline';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    batch: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '10000' },
    storage: { type: 'string', default: 'both' },
  },
});
const clients = Number(values.clients);
const batch = Number(values.batch);
const seconds = Number(values.seconds);
const rate = Number(values.rate);
process.env.VERITAS_TEST_DATABASE_URL ??= process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The COPY baseline varies run to run on a shared machine: take the median of three. */
async function median3(f: () => Promise<number>): Promise<number> {
  const r = [await f(), await f(), await f()].sort((a, b) => a - b);
  return r[1]!;
}

interface Row {
  storage: string;
  load: string;
  offered: string;
  durable: number;
  p50: number;
  p99: number;
  errors: number;
  copy: number;
}

async function benchStorage(storage: 'postgres' | 'pglite'): Promise<Row[]> {
  let env: NodeJS.ProcessEnv;
  let cleanup: () => Promise<void>;
  let copyRate: () => Promise<number>;
  if (storage === 'postgres') {
    const db = await createPostgresDatabase();
    env = { DATABASE_URL: db.url };
    cleanup = db.drop;
    copyRate = () => median3(() => copyRatePostgres(db.url, 200_000));
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'veritas-bench-'));
    env = { VERITAS_DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    copyRate = () => median3(() => copyRatePglite(200_000));
  }
  const rows: Row[] = [];
  const server = await startServerProcess(env);
  try {
    // Enough sealed batches for the closed loop to run the whole time.
    const perClient = Math.ceil((seconds * 4000) / clients) + 5;
    process.stderr.write(`[${storage}] preparing ${clients} clients × ${perClient} batches of ${batch}…\n`);
    const saturate = await prepareClients(server.url, clients, perClient, batch);
    const open = await prepareClients(server.url, clients, Math.ceil(seconds * (rate / batch / clients)) + 2, batch);

    process.stderr.write(`[${storage}] open loop at ${rate} events/s offered…\n`);
    const o = await runLoad(server.url, open, batch, (clients * batch * 1000) / rate, seconds);
    process.stderr.write(`[${storage}] closed loop (as fast as acks return)…\n`);
    const s = await runLoad(server.url, saturate, batch, 0, seconds);
    await server.stop();
    const copy = await copyRate();
    rows.push({ storage, load: `open, ${clients} clients`, offered: `${rate}`, durable: o.rate, p50: percentile(o.latenciesMs, 50), p99: percentile(o.latenciesMs, 99), errors: o.errors, copy });
    rows.push({ storage, load: `closed, ${clients} clients`, offered: 'max', durable: s.rate, p50: percentile(s.latenciesMs, 50), p99: percentile(s.latenciesMs, 99), errors: s.errors, copy });
  } finally {
    if (server.proc.exitCode === null) await server.stop();
    await cleanup();
  }
  return rows;
}

const storages = values.storage === 'both' ? (['postgres', 'pglite'] as const) : ([values.storage] as ('postgres' | 'pglite')[]);
const all: Row[] = [];
for (const s of storages) all.push(...(await benchStorage(s)));

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`\ningest: ${clients} clients, batches of ${batch} events, ${seconds} s per load, node ${process.version}\n`);
console.log('| storage | load | offered ev/s | durable ev/s | ack p50 ms | ack p99 ms | errors | raw COPY rows/s | durable ÷ COPY |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of all) {
  console.log(`| ${r.storage} | ${r.load} | ${r.offered === 'max' ? 'max' : fmt(Number(r.offered))} | ${fmt(r.durable)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} | ${fmt(r.copy)} | ${fmt((r.durable / r.copy) * 100, 1)}% |`);
}
