/**
 * Issue 13, questions 3 and 4: an exam-sized load. `--students` writers (a process of their own)
 * each send a batch of `--events` events every 2 s over HTTP; `--teachers` teachers each watch
 * `--watch` students' session streams (SSE, viewer processes of their own). Measured: ingest-to-viewer
 * latency of every event (from when its batch was due to when a viewer read it), the ingest ack,
 * and whether every committed event reached every viewer of its session once, in order.
 *
 * `--instances 2` runs two servers on one PostgreSQL behind one Redis (a redis-server of the
 * bench's own): students write to the first, teachers watch on the second, so every event crosses
 * the Redis hop. `--instances 1` is one server with the in-process hub.
 *
 *   npx tsx bench/live/exam.ts --students 2000 --teachers 70 --watch 30 --seconds 20 --runs 3 --instances 1
 *   npx tsx bench/live/exam.ts … --instances 2
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  cpuSeconds,
  fmt,
  int,
  loadAverage,
  medianRange,
  openViewers,
  option,
  ownRedis,
  raiseOpenFiles,
  report,
  sleep,
  startVeritas,
  storage,
  sum,
  table,
  until,
  Viewers,
  type Target,
} from './common';
import { Histogram } from './histogram';
import type { WriterOrder, WriterReply } from './writer-process';

const STUDENTS = Number(option('students', '2000'));
const TEACHERS = Number(option('teachers', '70'));
const WATCH = Number(option('watch', '30'));
const EVENTS = Number(option('events', '5'));
const SECONDS = Number(option('seconds', '20'));
const RUNS = Number(option('runs', '3'));
const INSTANCES = Number(option('instances', '1'));
const PROCS = Number(option('procs', '2'));

const WRITER = fileURLToPath(new URL('./writer-process.ts', import.meta.url));

class Students {
  private readonly proc: ChildProcess;
  private waiting: ((r: WriterReply) => void) | null = null;
  constructor() {
    this.proc = spawn(process.execPath, ['--import', 'tsx', WRITER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.proc.on('message', (r: WriterReply) => {
      const w = this.waiting;
      this.waiting = null;
      w?.(r);
    });
  }
  order<K extends WriterReply['kind']>(o: WriterOrder, expect: K): Promise<Extract<WriterReply, { kind: K }>> {
    return new Promise((resolve, reject) => {
      this.waiting = (r) =>
        r.kind === expect ? resolve(r as Extract<WriterReply, { kind: K }>) : reject(new Error(r.kind === 'failed' ? r.message : `unexpected ${r.kind}`));
      this.proc.send(o);
    });
  }
  stop(): void {
    if (this.proc.connected) this.proc.disconnect();
  }
}

interface Row {
  instances: number;
  streams: number;
  batches: number;
  errors: number;
  ackP50: number;
  ackP99: number;
  p50: number;
  p99: number;
  max: number;
  expected: number;
  delivered: number;
  gaps: number;
  duplicates: number;
  dropped: number;
  serverCores: number;
  load: number;
  late: number;
}

async function once(): Promise<Row> {
  const store = await storage('postgres');
  const redis = INSTANCES > 1 ? await ownRedis() : undefined;
  const servers: Target[] = [];
  const students = new Students();
  const procs = Array.from({ length: PROCS }, () => new Viewers());
  try {
    for (let i = 0; i < INSTANCES; i++) servers.push(await startVeritas(`veritas ${i + 1}`, { ...store.env, ...(redis ? { REDIS_URL: redis.url } : {}) }));
    const ingest = servers[0]!;
    const watched = servers[servers.length - 1]!;
    const { ids } = await students.order({ kind: 'prepare', url: ingest.url, sessions: STUDENTS }, 'prepared');
    // Teacher t watches students t·watch … t·watch+watch−1 (wrapping round when there are more streams than students).
    const watchedIds = Array.from({ length: TEACHERS * WATCH }, (_, j) => ids[j % ids.length]!);
    const urls = watchedIds.map((id) => `${watched.url}/v1/sessions/${id}/live`);
    const opened = await openViewers(procs, urls);
    if (opened.failed) throw new Error(`${opened.failed} streams did not open: ${opened.errors.join('; ')}`);
    await sleep(1000);
    await Promise.all(procs.map((p) => p.order({ kind: 'reset' }, 'reset')));
    const cpu0 = sum(servers.map((s) => cpuSeconds(s.pid)));
    const t0 = Date.now();
    const ran = await students.order({ kind: 'run', seconds: SECONDS, intervalMs: 2000, eventsPerBatch: EVENTS }, 'ran');
    const bySession = new Map(ids.map((id, i) => [id, ran.eventsBySession[i]!]));
    const expected = sum(watchedIds.map((id) => bySession.get(id)!));
    await until(async () => (await report(procs)).deliveries >= expected, 30_000);
    const serverCores = (sum(servers.map((s) => cpuSeconds(s.pid))) - cpu0) / ((Date.now() - t0) / 1000);
    const r = await report(procs);
    const acks = new Histogram();
    acks.merge(ran.acks);
    return {
      instances: INSTANCES,
      streams: opened.ok,
      batches: ran.batches,
      errors: ran.errors,
      ackP50: acks.quantile(0.5),
      ackP99: acks.quantile(0.99),
      p50: r.latency.quantile(0.5),
      p99: r.latency.quantile(0.99),
      max: r.latency.max,
      expected,
      delivered: r.deliveries,
      gaps: r.gaps,
      duplicates: r.duplicates,
      dropped: r.dropped,
      serverCores,
      load: loadAverage(),
      late: ran.late,
    };
  } finally {
    students.stop();
    for (const p of procs) p.stop();
    for (const s of servers) await s.stop();
    redis?.stop();
    await store.drop();
  }
}

async function main() {
  raiseOpenFiles();
  const rows: Row[] = [];
  const header = [
    'instances',
    'streams',
    'batches',
    'ingest errors',
    'ack p50/p99 ms',
    'ingest→viewer p50 ms',
    'p99 ms',
    'max ms',
    'events owed',
    'delivered',
    'gaps/dups/dropped',
    'server cores',
    'load',
  ];
  const line = (r: Row) => [
    r.instances,
    int(r.streams),
    int(r.batches),
    r.errors,
    `${fmt(r.ackP50)}/${fmt(r.ackP99)}`,
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    int(r.expected),
    int(r.delivered),
    `${r.gaps}/${r.duplicates}/${r.dropped}`,
    fmt(r.serverCores, 2),
    fmt(r.load),
  ];
  for (let run = 1; run <= RUNS; run++) {
    rows.push(await once());
    console.log(`run ${run}:`);
    console.log(table(header, [line(rows.at(-1)!)]));
  }
  console.log(
    `\nSummary, median (min–max) of ${RUNS} runs: ${STUDENTS} students × a batch of ${EVENTS} events every 2 s, ${TEACHERS} teachers × ${WATCH} streams, ${SECONDS} s, ${INSTANCES} instance(s):`,
  );
  console.log(
    table(
      ['instances', 'ack p99 ms', 'ingest→viewer p50 ms', 'ingest→viewer p99 ms', 'lost (owed − delivered)', 'gaps/dups', 'server cores', 'load'],
      [
        [
          INSTANCES,
          medianRange(rows.map((r) => r.ackP99)),
          medianRange(rows.map((r) => r.p50)),
          medianRange(rows.map((r) => r.p99)),
          medianRange(
            rows.map((r) => r.expected - r.delivered),
            0,
          ),
          `${Math.max(...rows.map((r) => r.gaps))}/${Math.max(...rows.map((r) => r.duplicates))}`,
          medianRange(
            rows.map((r) => r.serverCores),
            2,
          ),
          medianRange(rows.map((r) => r.load)),
        ],
      ],
    ),
  );
}

await main();
process.exit(0);
