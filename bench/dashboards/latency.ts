/**
 * p50 / p95 / p99 of the student dashboard and an exam's analytics at 16 concurrent clients, against
 * a real server process (`veritas serve`) on the database bench/dashboards/generate.ts filled, with
 * real access tokens (each person signs in). Baseline measured in the same run: GET /v1/me (an
 * authenticated read of one row) at the same concurrency; and the same pages' queries, run from the
 * bench at the same concurrency: as the server reads them now (the student's page in one statement;
 * an exam's figures, its class order and one page of its breakdown, exam-analytics.repository.ts), as it read them
 * before (four round trips; every row of the exam), and from scratch (from-scratch.repository.ts, the
 * reads before schema step 0011), each against the from-scratch one.
 *
 *   npx tsx bench/dashboards/latency.ts [--runs 3] [--seconds 15] [--clients 16] [--out runs.jsonl] [--database-url URL]
 *
 * Each load is closed (a client sends its next request when the last is answered), after 2 s of
 * warm-up; every answer must be 200. Targets (issue 12): dashboard p95 < 25 ms, analytics p95 < 100 ms.
 */
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openPostgres } from '../../apps/server/src/platform/db/database';
import { tenantId as asTenantId, tenantScope } from '../../apps/server/src/kernel/scope';
import type { UserActor } from '../../apps/server/src/kernel/actor';
import { createAuditService } from '../../apps/server/src/modules/audit';
import { examAttempts, findProfile, studentAttempts, studentPage, studentSummary } from '../../apps/server/src/modules/dashboards/dashboards.repository';
import { examClassOrder, examPage, examStats } from '../../apps/server/src/modules/dashboards/exam-analytics.repository';
import { sql } from 'kysely';
import {
  examAttemptsFromScratch,
  studentAttemptsFromScratch,
  studentSummaryFromScratch,
} from '../../apps/server/src/modules/dashboards/from-scratch.repository';
import { LIMITS } from '../../apps/server/src/modules/dashboards/dashboards.service';
import { startServerProcess } from '../ingest/server-process';
import { Machine, json, median, percentile, request, signIn } from '../auth/common';
import { BENCH_PASSWORD, BENCH_TENANT, databaseUrl, fmt, rng, useServerUrl, withClient } from './common';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '15' },
    clients: { type: 'string', default: '16' },
    people: { type: 'string', default: '64' },
    out: { type: 'string' },
  },
});
useServerUrl(args['database-url']);
const RUNS = Number(args.runs);
const SECONDS = Number(args.seconds);
const CLIENTS = Number(args.clients);
const PEOPLE = Number(args.people);
const BASELINE = 'GET /v1/me (baseline)';
const STUDENT_SCRATCH = 'student queries, from scratch';
const EXAM_SCRATCH = 'exam query, from scratch, every row';
const TARGETS: Record<string, number> = { 'GET /v1/students/me/dashboard': 25, 'GET /v1/exams/{id}/analytics': 100 };

interface Result {
  run: number;
  name: string;
  /** The load of the same run this one's p95 is compared with. */
  against: string;
  n: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  load1: number;
  serverCores?: number;
  otherCores?: number;
}

/** `clients` loops calling `once(i)` for `seconds` after a warm-up; latencies of the timed part, in ms. */
async function closedLoop(once: (i: number) => Promise<void>, seconds: number): Promise<{ ms: number[]; wallS: number }> {
  const ms: number[] = [];
  let timing = false;
  let stop = false;
  let counter = 0;
  const loops = Array.from({ length: CLIENTS }, async () => {
    while (!stop) {
      const i = counter++;
      const t0 = performance.now();
      await once(i);
      if (timing) ms.push(performance.now() - t0);
    }
  });
  await new Promise((r) => setTimeout(r, 2000));
  timing = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  timing = false;
  const wallS = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(loops);
  return { ms, wallS };
}

async function get(url: string, token: string): Promise<void> {
  const r = await request(url, 'GET', undefined, { authorization: `Bearer ${token}` });
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body.slice(0, 200)}`);
}

async function main() {
  const url = databaseUrl();
  // The people: students spread over the school, and the owners of exams already analysed (1,000 attempts each).
  const { students, exams } = await withClient(url, async (c) => {
    const r = rng(7);
    const s = await c.query<{ email: string; id: string }>(`select email, id from users where role = 'student' and tenant_id = $1`, [BENCH_TENANT]);
    const x = await c.query<{ id: string; email: string; ownerId: string; n: number }>(
      `select e.id, u.email, u.id as "ownerId", de.attempts as n from exams e join users u on u.id = e.owner_id join dashboard_exams de on de.exam_id = e.id
       where e.results_released_at is not null order by e.id`,
    );
    const pick = <T>(xs: T[], n: number) => Array.from({ length: n }, () => xs[Math.floor(r() * xs.length)]!);
    return { students: pick(s.rows, PEOPLE), exams: pick(x.rows, Math.min(PEOPLE, 16)) };
  });
  if (students.length === 0 || exams.length === 0) throw new Error(`no generated data in ${url}: run bench/dashboards/generate.ts first`);
  console.log(
    `${exams.length} exams of ${fmt(median(exams.map((e) => e.n)))} attempts (median), ${students.length} students; ${CLIENTS} clients, ${SECONDS} s per load, ${RUNS} runs`,
  );

  const server = await startServerProcess({ DATABASE_URL: url, VERITAS_RATE_ANON_PER_MIN: '1000000' });
  const db = openPostgres(url, CLIENTS);
  const results: Result[] = [];
  try {
    const studentTokens = await Promise.all(students.map(async (s) => (await signIn(server.url, s.email, BENCH_PASSWORD)).accessToken));
    const teacherTokens = await Promise.all(exams.map(async (e) => (await signIn(server.url, e.email, BENCH_PASSWORD)).accessToken));
    // A check that the tokens are real: /v1/me answers with the person.
    await json(`${server.url}/v1/me`, 'GET', undefined, { authorization: `Bearer ${studentTokens[0]}` });
    const tenant = asTenantId(BENCH_TENANT);
    const audit = createAuditService(db);

    const exam = (i: number) => exams[i % exams.length]!.id;
    // [name, one request, over HTTP, the load its p95 is compared with (the same run's)]
    const scenarios: [string, (i: number) => Promise<void>, boolean, string][] = [
      ['GET /v1/me (baseline)', (i) => get(`${server.url}/v1/me`, studentTokens[i % studentTokens.length]!), true, BASELINE],
      ['GET /v1/students/me/dashboard', (i) => get(`${server.url}/v1/students/me/dashboard`, studentTokens[i % studentTokens.length]!), true, BASELINE],
      // The page as the web asks for it: the figures and the breakdown's first page (50 rows by default).
      ['GET /v1/exams/{id}/analytics', (i) => get(`${server.url}/v1/exams/${exam(i)}/analytics`, teacherTokens[i % exams.length]!), true, BASELINE],
      // The worst case of the figures kept per exam version: the exam changes before every read (its
      // version moved by the bench, one small write), so every read computes the class figures again.
      [
        'GET /v1/exams/{id}/analytics, its exam changed before each read',
        async (i) => {
          await sql`update dashboard_exams set version = nextval('dashboard_exam_version') where exam_id = ${exam(i)}`.execute(db.db);
          await get(`${server.url}/v1/exams/${exam(i)}/analytics`, teacherTokens[i % exams.length]!);
        },
        true,
        BASELINE,
      ],
      // What each analytics read adds besides its queries: its audit entry, appended to the tenant's
      // hash chain under the chain head's row lock, held until the commit is flushed (modules/audit).
      [
        'audit entry alone (one per analytics read)',
        async (i) => {
          const e = exams[i % exams.length]!;
          const actor: UserActor = { kind: 'user', userId: e.ownerId, tenantId: tenant, role: 'teacher', via: 'password', scope: tenantScope(BENCH_TENANT) };
          await audit.record({
            tenantId: tenant,
            actor,
            action: 'exam.analytics.read',
            resource: { type: 'exam', id: e.id },
            context: { ip: null, requestId: `bench-${i}` },
            detail: { attempts: e.n, rows: 50 },
          });
        },
        false,
        BASELINE,
      ],
      [
        'student query, one statement',
        async (i) => void (await studentPage(db.db, tenant, students[i % students.length]!.id, LIMITS.studentAttempts)),
        false,
        STUDENT_SCRATCH,
      ],
      [
        'student queries, aggregates, 4 round trips (before)',
        async (i) => {
          const s = students[i % students.length]!.id;
          await Promise.all([findProfile(db.db, tenant, s), studentSummary(db.db, tenant, s), studentAttempts(db.db, tenant, s, LIMITS.studentAttempts)]);
        },
        false,
        STUDENT_SCRATCH,
      ],
      [
        STUDENT_SCRATCH,
        async (i) => {
          const s = students[i % students.length]!.id;
          await Promise.all([
            findProfile(db.db, tenant, s),
            studentSummaryFromScratch(db.db, tenant, s),
            studentAttemptsFromScratch(db.db, tenant, s, LIMITS.studentAttempts),
          ]);
        },
        false,
        STUDENT_SCRATCH,
      ],
      [
        // What a read costs when the exam changed since the last (the server then computes its class figures again).
        'exam queries, figures + class order + a page of 50',
        async (i) => {
          const [, order] = await Promise.all([examStats(db.db, tenant, exam(i)), examClassOrder(db.db, tenant, exam(i))]);
          await examPage(db.db, tenant, exam(i), order, { limit: 50 });
        },
        false,
        EXAM_SCRATCH,
      ],
      ['exam query, aggregates, every row (before)', async (i) => void (await examAttempts(db.db, tenant, exam(i), LIMITS.examAttempts)), false, EXAM_SCRATCH],
      [EXAM_SCRATCH, async (i) => void (await examAttemptsFromScratch(db.db, tenant, exam(i), LIMITS.examAttempts)), false, EXAM_SCRATCH],
    ];

    for (let run = 1; run <= RUNS; run++) {
      for (const [name, once, http, against] of scenarios) {
        const load1 = loadavg()[0]!;
        const machine = new Machine(server.proc.pid!);
        const { ms, wallS } = await closedLoop(once, SECONDS);
        const m = machine.close();
        const row: Result = {
          run,
          name,
          against,
          n: ms.length,
          rps: ms.length / wallS,
          p50: percentile(ms, 50),
          p95: percentile(ms, 95),
          p99: percentile(ms, 99),
          load1,
          ...(http ? { serverCores: m.cores.server, otherCores: m.cores.other } : { otherCores: m.cores.other }),
        };
        results.push(row);
        if (args.out) appendFileSync(args.out, JSON.stringify({ at: new Date().toISOString(), ...row }) + '\n');
        console.log(
          `run ${run} | ${name} | ${fmt(row.n)} req | ${fmt(row.rps)} /s | p50 ${fmt(row.p50, 1)} | p95 ${fmt(row.p95, 1)} | p99 ${fmt(row.p99, 1)} ms | load ${fmt(load1, 1)}`,
        );
      }
    }
  } finally {
    await db.close();
    await server.stop();
  }

  // Median (min–max) over the runs, each p95 also as a ratio of the same run's baseline p95.
  const mr = (xs: number[], d = 1) => (xs.length === 1 ? fmt(xs[0]!, d) : `${fmt(median(xs), d)} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`);
  const baseline = (r: Result) => results.find((b) => b.run === r.run && b.name === r.against)!;
  console.log(`\n${CLIENTS} clients, median (min–max) of ${RUNS} runs\n`);
  console.log('| load | req/s | p50 ms | p95 ms | p99 ms | p95 ÷ its baseline p95 | target p95 | met (p95 median, worst run) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const name of [...new Set(results.map((r) => r.name))]) {
    const rs = results.filter((r) => r.name === name);
    const ratios = rs.map((r) => r.p95 / baseline(r).p95);
    const target = TARGETS[name];
    const p95s = rs.map((r) => r.p95);
    // Met only when the median and the worst run are both under the target.
    const met = (p: number) => (p < target! ? 'yes' : '**no**');
    console.log(
      `| ${name} | ${mr(
        rs.map((r) => r.rps),
        0,
      )} | ${mr(rs.map((r) => r.p50))} | ${mr(rs.map((r) => r.p95))} | ${mr(rs.map((r) => r.p99))} | ${
        rs[0]!.against === name ? '1' : `${mr(ratios, 2)}×`
      } | ${target ? `< ${target}` : ''} | ${target ? `median ${met(median(p95s))}, worst ${met(Math.max(...p95s))}` : ''} |`,
    );
  }
  console.log(`\nload average (1 min) at the loads' start: ${mr(results.map((r) => r.load1))}`);
  const http = results.filter((r) => r.serverCores !== undefined);
  console.log(
    `server cores during HTTP loads: ${mr(
      http.map((r) => r.serverCores!),
      2,
    )}; other work: ${mr(
      results.map((r) => r.otherCores!),
      2,
    )} cores`,
  );
}

await main();
