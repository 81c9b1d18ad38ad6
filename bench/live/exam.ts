/**
 * Issue 13, questions 3 and 4: an exam-sized load. `--students` writers (a process of their own)
 * each send a batch of `--events` events every 2 s over HTTP or the ingest socket; `--teachers` teachers each watch
 * `--watch` students' session streams (SSE, viewer processes of their own). Measured: ingest-to-viewer
 * latency of every event (from when its batch was due to when a viewer read it), the ingest ack,
 * and whether every committed event reached every viewer of its session once, in order.
 *
 * `--transport ws` sends each student's batches over their session's ingest socket (veritas.ingest/v1)
 * instead of a POST each (`http`, the default); the issue allows either.
 *
 * `--instances 2` runs two servers on one PostgreSQL behind one Redis (a redis-server of the
 * bench's own): students write to the first, teachers watch on the second, so every event crosses
 * the Redis hop. `--instances 1` is one server with the in-process hub.
 *
 *   npx tsx bench/live/exam.ts --students 2000 --teachers 70 --watch 30 --seconds 20 --runs 3 --instances 1
 *   npx tsx bench/live/exam.ts … --instances 2
 *   npx tsx bench/live/exam.ts … --transport ws
 *
 * `--warmup-seconds N` (exam mode; default 0) first runs a smaller exam on the same servers for N
 * seconds (a tenth of the teachers and students, its own streams, view and alerts sockets, closed
 * afterwards): the measured exam then meets a server whose code, pools and caches have been used,
 * as a server that has been up a while has them, while its own start (every student's first
 * commit at once) is still measured. 0: the measured exam meets a server just started.
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
import type { Transport, WriterOrder, WriterReply } from './writer-process';
import type { StreamTarget } from './viewer-process';
import { buildExamWorld, type ExamWorld } from './exam-world';

const STUDENTS = Number(option('students', '2000'));
const TEACHERS = Number(option('teachers', '70'));
const WATCH = Number(option('watch', '30'));
const EVENTS = Number(option('events', '5'));
const SECONDS = Number(option('seconds', '20'));
const RUNS = Number(option('runs', '3'));
const INSTANCES = Number(option('instances', '1'));
const PROCS = Number(option('procs', '2'));
const WARMUP_SECONDS = Number(option('warmup-seconds', '0'));
/** `exam` (default): a real exam per teacher, with attempts, the exam view and the alerts socket. `public`: anonymous public sessions, streams only (the earlier runs). */
const MODE = option('mode', 'exam');
const TRANSPORT = option('transport', 'http') as Transport;
if (TRANSPORT !== 'http' && TRANSPORT !== 'ws') throw new Error(`--transport is http or ws, not ${String(TRANSPORT)}`);
/** Every student writes from this one host: its ingest sockets must not meet the per-client limit. */
const TRANSPORT_ENV: NodeJS.ProcessEnv = TRANSPORT === 'ws' ? { VERITAS_SOCKETS_PER_CLIENT: String(STUDENTS + 1) } : {};

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
  /** After the first interval (every student's first batch is in it). */
  ackP99Steady: number;
  /** Ack p50/p99 of the batches due in each 2 s interval of the run, in order. */
  ackTimeline: { p50: number; p99: number }[];
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
  /** Exam mode: host metrics → exam view, and violation → alert on the teacher's socket. */
  viewP50: number;
  viewP99: number;
  viewSamples: number;
  alertP50: number;
  alertP99: number;
  alertMax: number;
  violations: number;
  alerted: number;
  views: number;
  sockets: number;
}

/** What the run is doing, on stderr: building the world and opening thousands of streams take minutes at full size. */
function progress(what: string): void {
  process.stderr.write(`[${new Date().toISOString()}] ${what}…\n`);
}

/** Teacher t watches up to `watch` sessions of their own exam (a teacher reads only their exam's sessions), its view, its alerts. */
function examTargets(world: ExamWorld, base: string) {
  const watching = world.teachers.map((t) => ({ t, sessions: t.sessionIds.slice(0, WATCH) }));
  const streamTargets = watching.flatMap(({ t, sessions }) => sessions.map((id) => ({ url: `${base}/v1/sessions/${id}/live`, headers: t.headers })));
  const viewTargets = world.teachers.map((t) => ({ url: `${base}/v1/exams/${t.examId}/live`, headers: t.headers }));
  return {
    watchedIds: watching.flatMap((w) => w.sessions),
    targets: [...streamTargets, ...viewTargets] as StreamTarget[],
    sockets: world.teachers.map((t) => ({ url: `${base.replace(/^http/, 'ws')}/v1/exams/${t.examId}/alerts/socket`, headers: t.headers, origin: base })),
  };
}

/** A tenth of the exam, on its own tenant, students, streams and sockets, run and closed before the measured one (`--warmup-seconds`). */
async function warmUp(databaseUrl: string, ingestUrl: string, watchedUrl: string): Promise<void> {
  const teachers = Math.max(1, Math.round(TEACHERS / 10));
  const count = Math.max(teachers, Math.round(STUDENTS / 10));
  progress(`warming the servers up: ${teachers} teachers, ${count} students, ${WARMUP_SECONDS} s`);
  const world = await buildExamWorld(databaseUrl, ingestUrl, teachers, count);
  const writers = new Students();
  const viewers = new Viewers();
  try {
    await writers.order({ kind: 'adopt', url: ingestUrl, sessions: world.students, transport: TRANSPORT }, 'prepared');
    const { targets, sockets } = examTargets(world, watchedUrl);
    const opened = await openViewers([viewers], targets);
    if (opened.failed) throw new Error(`warm-up: ${opened.failed} streams did not open: ${opened.errors.join('; ')}`);
    const alerts = await viewers.order({ kind: 'alerts', urls: sockets }, 'opened');
    if (alerts.failed) throw new Error(`warm-up: ${alerts.failed} alerts sockets did not open: ${alerts.errors.join('; ')}`);
    const ran = await writers.order(
      { kind: 'run', seconds: WARMUP_SECONDS, intervalMs: 2000, eventsPerBatch: EVENTS, exam: { violationAfterMs: (WARMUP_SECONDS * 1000) / 2 } },
      'ran',
    );
    if (ran.errors) throw new Error(`warm-up: ${ran.errors} of ${ran.batches} batches failed`);
  } finally {
    writers.stop();
    viewers.stop();
  }
}

async function once(): Promise<Row> {
  const store = await storage('postgres');
  const redis = INSTANCES > 1 ? await ownRedis() : undefined;
  const servers: Target[] = [];
  const students = new Students();
  const procs = Array.from({ length: PROCS }, () => new Viewers());
  try {
    for (let i = 0; i < INSTANCES; i++)
      servers.push(await startVeritas(`veritas ${i + 1}`, { ...store.env, ...TRANSPORT_ENV, ...(redis ? { REDIS_URL: redis.url } : {}) }));
    const ingest = servers[0]!;
    const watched = servers[servers.length - 1]!;
    let ids: string[];
    let targets: StreamTarget[];
    let watchedIds: string[];
    let sockets: { url: string; headers: Record<string, string>; origin: string }[] = [];
    let views = 0;
    if (MODE === 'exam' && WARMUP_SECONDS > 0) await warmUp(store.env.DATABASE_URL!, ingest.url, watched.url);
    if (MODE === 'exam') {
      progress(`building the exam world: ${TEACHERS} teachers, ${STUDENTS} students`);
      const world = await buildExamWorld(store.env.DATABASE_URL!, ingest.url, TEACHERS, STUDENTS);
      ({ ids } = await students.order({ kind: 'adopt', url: ingest.url, sessions: world.students, transport: TRANSPORT }, 'prepared'));
      // Teacher t watches up to `watch` sessions of their own exam (a teacher reads only their exam's sessions), its view, its alerts.
      ({ watchedIds, targets, sockets } = examTargets(world, watched.url));
      views = world.teachers.length;
    } else {
      ({ ids } = await students.order({ kind: 'prepare', url: ingest.url, sessions: STUDENTS, transport: TRANSPORT }, 'prepared'));
      // Teacher t watches students t·watch … t·watch+watch−1 (wrapping round when there are more streams than students).
      watchedIds = Array.from({ length: TEACHERS * WATCH }, (_, j) => ids[j % ids.length]!);
      targets = watchedIds.map((id) => `${watched.url}/v1/sessions/${id}/live`);
    }
    progress(`opening ${targets.length} streams and views, ${sockets.length} alerts sockets`);
    const opened = await openViewers(procs, targets);
    if (opened.failed) throw new Error(`${opened.failed} streams did not open: ${opened.errors.join('; ')}`);
    if (sockets.length > 0) {
      const per = await Promise.all(procs.map((p, i) => p.order({ kind: 'alerts', urls: sockets.filter((_, j) => j % procs.length === i) }, 'opened')));
      const failed = sum(per.map((r) => r.failed));
      if (failed) throw new Error(`${failed} alerts sockets did not open: ${per.flatMap((r) => r.errors).join('; ')}`);
    }
    await sleep(1000);
    await Promise.all(procs.map((p) => p.order({ kind: 'reset' }, 'reset')));
    progress(`students writing for ${SECONDS} s`);
    const cpu0 = sum(servers.map((s) => cpuSeconds(s.pid)));
    const t0 = Date.now();
    const ran = await students.order(
      {
        kind: 'run',
        seconds: SECONDS,
        intervalMs: 2000,
        eventsPerBatch: EVENTS,
        ...(MODE === 'exam' ? { exam: { violationAfterMs: (SECONDS * 1000) / 2 } } : {}),
      },
      'ran',
    );
    const bySession = new Map(ids.map((id, i) => [id, ran.eventsBySession[i]!]));
    const violationDue = new Map(ids.map((id, i) => [id, ran.violationDue[i]!]));
    const violations = [...violationDue.values()].filter((d) => !Number.isNaN(d)).length;
    const expected = sum(watchedIds.map((id) => bySession.get(id)!));
    progress(`waiting for ${expected} deliveries and ${violations} alerts`);
    await until(async () => {
      const r = await report(procs);
      return r.deliveries >= expected && new Set(r.alerts.map((a) => a.sessionId)).size >= violations;
    }, 60_000);
    const serverCores = (sum(servers.map((s) => cpuSeconds(s.pid))) - cpu0) / ((Date.now() - t0) / 1000);
    const r = await report(procs);
    const acks = new Histogram();
    acks.merge(ran.acks);
    const steadyAcks = new Histogram();
    steadyAcks.merge(ran.steadyAcks);
    // Each alert from the due time of the batch that carried its violation (the first alert of a session only).
    const alertLatency = new Histogram();
    const alerted = new Set<string>();
    for (const a of [...r.alerts].sort((x, y) => x.at - y.at)) {
      const due = violationDue.get(a.sessionId);
      if (due === undefined || Number.isNaN(due) || alerted.has(a.sessionId)) continue;
      alerted.add(a.sessionId);
      alertLatency.add(a.at - due);
    }
    return {
      instances: INSTANCES,
      streams: opened.ok,
      batches: ran.batches,
      errors: ran.errors,
      ackP50: acks.quantile(0.5),
      ackP99: acks.quantile(0.99),
      ackP99Steady: steadyAcks.quantile(0.99),
      ackTimeline: ran.ackWindows.map((data) => {
        const h = new Histogram();
        h.merge(data);
        return { p50: h.quantile(0.5), p99: h.quantile(0.99) };
      }),
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
      viewP50: r.view.quantile(0.5),
      viewP99: r.view.quantile(0.99),
      viewSamples: r.view.count,
      alertP50: alertLatency.quantile(0.5),
      alertP99: alertLatency.quantile(0.99),
      alertMax: alertLatency.max,
      violations,
      alerted: alerted.size,
      views,
      sockets: r.socketsOpen,
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
    'ack p50/p99/p99 steady ms',
    'ingest→viewer p50 ms',
    'p99 ms',
    'max ms',
    'events owed',
    'delivered',
    'gaps/dups/dropped',
    'server cores',
    'load',
    'view p50/p99 ms (samples)',
    'alert p50/p99/max ms',
    'violations/alerted',
  ];
  const line = (r: Row) => [
    r.instances,
    int(r.streams),
    int(r.batches),
    r.errors,
    `${fmt(r.ackP50)}/${fmt(r.ackP99)}/${fmt(r.ackP99Steady)}`,
    fmt(r.p50),
    fmt(r.p99),
    fmt(r.max),
    int(r.expected),
    int(r.delivered),
    `${r.gaps}/${r.duplicates}/${r.dropped}`,
    fmt(r.serverCores, 2),
    fmt(r.load),
    `${fmt(r.viewP50)}/${fmt(r.viewP99)} (${int(r.viewSamples)})`,
    `${fmt(r.alertP50)}/${fmt(r.alertP99)}/${fmt(r.alertMax)}`,
    `${r.violations}/${r.alerted}`,
  ];
  for (let run = 1; run <= RUNS; run++) {
    rows.push(await once());
    console.log(`run ${run}:`);
    console.log(table(header, [line(rows.at(-1)!)]));
    // When in the run the tail comes: the exam's violations are all due in the interval that starts at half the run.
    const timeline = rows.at(-1)!.ackTimeline;
    console.log(
      table(
        ['ack by interval due', ...timeline.map((_, i) => `${i * 2}–${i * 2 + 2} s${MODE === 'exam' && i * 2 === SECONDS / 2 ? ' (violations)' : ''}`)],
        [
          ['p50 ms', ...timeline.map((w) => fmt(w.p50))],
          ['p99 ms', ...timeline.map((w) => fmt(w.p99))],
        ],
      ),
    );
  }
  console.log(
    `\nSummary, median (min–max) of ${RUNS} runs: ${STUDENTS} students × a batch of ${EVENTS} events every 2 s, ${TEACHERS} teachers × ${WATCH} streams, ${SECONDS} s, ${INSTANCES} instance(s), batches over ${TRANSPORT === 'ws' ? 'the ingest socket' : 'HTTP'}, ${WARMUP_SECONDS > 0 ? `after a ${WARMUP_SECONDS} s warm-up exam` : 'no warm-up'}:`,
  );
  console.log(
    table(
      [
        'instances',
        'ack p99 ms',
        'ack p99 ms, steady',
        'ingest→viewer p50 ms',
        'ingest→viewer p99 ms',
        'lost (owed − delivered)',
        'gaps/dups',
        'exam view p50 ms',
        'exam view p99 ms',
        'alert p50 ms',
        'alert p99 ms',
        'alerts missing',
        'server cores',
        'load',
      ],
      [
        [
          INSTANCES,
          medianRange(rows.map((r) => r.ackP99)),
          medianRange(rows.map((r) => r.ackP99Steady)),
          medianRange(rows.map((r) => r.p50)),
          medianRange(rows.map((r) => r.p99)),
          medianRange(
            rows.map((r) => r.expected - r.delivered),
            0,
          ),
          `${Math.max(...rows.map((r) => r.gaps))}/${Math.max(...rows.map((r) => r.duplicates))}`,
          medianRange(rows.map((r) => r.viewP50)),
          medianRange(rows.map((r) => r.viewP99)),
          medianRange(rows.map((r) => r.alertP50)),
          medianRange(rows.map((r) => r.alertP99)),
          medianRange(
            rows.map((r) => r.violations - r.alerted),
            0,
          ),
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
