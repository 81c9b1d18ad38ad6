/**
 * bench/webhooks (issue 14): deliveries per second to a local receiver and the delay from the event
 * to its delivery (p50/p99) while 1,000 webhook events per second are made (teachers' grades:
 * `attempt.graded`), beside the ingest throughput of the same run, measured with and without a
 * webhook endpoint. Target: ingest with webhooks within 5% of ingest without.
 *
 *   npx tsx bench/webhooks/webhooks.ts [--runs 3] [--seconds 10] [--rate 1000] [--clients 8]
 *
 * Each run: a fresh embedded data folder (PGlite) seeded with the demo institution; the server
 * (`veritas serve`) in its own process under `nice -n -15`; this process (itself meant to run under
 * `nice -n -15`) is the load generator and the receiver. Phase "none": closed-loop ingest (each
 * client sends its next pre-sealed batch of 50 events when the last is acknowledged) and grades at
 * `--rate`/s, no endpoint. Phase "webhooks": the same loads with an endpoint subscribed to
 * attempt.graded on a receiver in this process; then the bench waits until every message made
 * during the phase has arrived. Delay: arrival time minus the message's `timestamp` (when the
 * server stored it, right after the grade's commit; same clock).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, loadConfig, migrateToLatest, openDatabase, seedDemoPeople } from '@veritas/server';
import { chainBatches, typingEvents } from '../../apps/server/src/testing/batches';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '8' },
  },
});
const RUNS = Number(values.runs);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const CLIENTS = Number(values.clients);
/** Grades in flight at most (the open loop's generator must not exhaust sockets). */
const MAX_INFLIGHT = 256;
/** The fields of the answers read here. */
interface Answer {
  id: string;
  secret: string;
  writeToken: string;
  accessToken: string;
  items: { id: string }[];
  attempt: { id: string };
}
const CLI = fileURLToPath(new URL('../../apps/cli/bin/veritas.mjs', import.meta.url));

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const median = (xs: number[]) => pct(xs, 50);

function startServer(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn('nice', ['-n', '-15', process.execPath, CLI, 'serve', '--port', '0'], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Veritas listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]! });
    });
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
  });
}

async function call<T = Answer>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: T }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  return { status: r.status, json: (text ? JSON.parse(text) : {}) as T };
}
async function ok<T = Answer>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const r = await call<T>(base, method, path, body, token);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

interface Phase {
  ingestEvPerS: number;
  /** Grades asked, and those answered with an error or not at all. */
  sent: number;
  failed: number;
  ingestErrors: number;
  gradesPerS: number;
  made: number;
  delivered?: number;
  deliveriesPerS?: number;
  delayP50?: number;
  delayP99?: number;
}

async function oneRun(run: number): Promise<{ none: Phase; webhooks: Phase; load: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'veritas-bench-webhooks-'));
  const dataDir = join(dir, 'data');
  {
    const { database, unlock } = await openDatabase(loadConfig({}, { dataDir, logLevel: 'silent' }));
    await migrateToLatest(database.db);
    await seedDemoPeople(database);
    await database.close();
    unlock();
  }
  const server = await startServer({
    VERITAS_DATA_DIR: dataDir,
    VERITAS_WEBHOOKS_ALLOW_PRIVATE: 'true',
    VERITAS_RATE_ANON_PER_MIN: '1000000',
    VERITAS_RATE_INGEST_PER_MIN: '1000000',
  });
  const base = server.url;
  const arrivals: { at: number; stamped: number; id: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { timestamp: string };
      arrivals.push({ at, stamped: Date.parse(body.timestamp), id: String(req.headers['webhook-id']) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const login = async (email: string) => (await ok(base, 'POST', '/v1/auth/login', { email, password: DEMO_PASSWORD })).accessToken as string;
    const [admin, teacher, student] = [
      await login('admin@demo.veritas.test'),
      await login('teacher@demo.veritas.test'),
      await login('student@demo.veritas.test'),
    ];
    const classId = ((await ok(base, 'GET', '/v1/classes', undefined, teacher)).items as { id: string }[])[0]!.id;
    const hour = 3_600_000;
    const exam = await ok(
      base,
      'POST',
      '/v1/exams',
      {
        title: 'Bench exam',
        kind: 'writing',
        maxScore: 100,
        passMark: 50,
        durationMinutes: 60,
        opensAt: new Date(Date.now() - hour).toISOString(),
        closesAt: new Date(Date.now() + hour).toISOString(),
        classIds: [classId],
      },
      teacher,
    );
    const attemptId = (await ok(base, 'POST', `/v1/exams/${exam.id}/attempts`, undefined, student)).attempt.id as string;
    await ok(base, 'POST', `/v1/attempts/${attemptId}/submit`, undefined, student);

    // Sealed before timing: per client and phase, enough batches for the phase.
    const perClient = 600;
    const seal = async () =>
      Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          const s = await ok(base, 'POST', '/v1/sessions', { kind: 'writing' });
          const text = 'the quick brown fox jumps over the lazy dog '.repeat(Math.ceil((perClient * 50) / 44)).slice(0, perClient * 50);
          return { id: s.id as string, token: s.writeToken as string, batches: await chainBatches(s.id, typingEvents(text), 50, s.writeToken) };
        }),
      );

    const phase = async (clients: Awaited<ReturnType<typeof seal>>): Promise<Phase> => {
      const until = performance.now() + SECONDS * 1000;
      let events = 0;
      let ingestErrors = 0;
      const ingest = clients.map(async (c) => {
        for (const b of c.batches) {
          if (performance.now() >= until) return;
          try {
            const r = await fetch(`${base}/v1/sessions/${c.id}/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
              body: JSON.stringify(b),
            });
            await r.arrayBuffer();
            if (r.ok) events += b.events.length;
          } catch {
            ingestErrors++;
          }
        }
      });
      // Grades open-loop at RATE/s, in ticks of 10 ms.
      let grades = 0;
      let failed = 0;
      let skipped = 0;
      let sent = 0;
      const started = performance.now();
      const inflight: Promise<void>[] = [];
      const grading = (async () => {
        while (performance.now() < until) {
          const due = Math.floor(((performance.now() - started) / 1000) * RATE);
          // At most MAX_INFLIGHT grades unanswered: past it the generator skips (counted as failed), not the server's sockets.
          while (sent + skipped < due) {
            if (sent - grades - failed >= MAX_INFLIGHT) {
              skipped++;
              continue;
            }
            sent++;
            inflight.push(
              call(base, 'PUT', `/v1/attempts/${attemptId}/score`, { score: sent % 100 }, teacher).then(
                (r) => {
                  if (r.status === 200) grades++;
                  else failed++;
                },
                () => void failed++,
              ),
            );
          }
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await Promise.all([...ingest, grading]);
      await Promise.all(inflight);
      const took = (performance.now() - started) / 1000;
      return { ingestEvPerS: events / took, gradesPerS: grades / took, made: grades, sent, failed: failed + skipped, ingestErrors };
    };

    const none = await phase(await seal());
    const hook = await ok(base, 'POST', '/v1/admin/webhooks', { url: hookUrl, events: ['attempt.graded'] }, admin);
    const fromArrival = arrivals.length;
    const withHooks = await phase(await seal());
    // Every message made in the phase arrives (at most 120 s more).
    const deadline = Date.now() + 120_000;
    while (new Set(arrivals.slice(fromArrival).map((a) => a.id)).size < withHooks.made && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const got = arrivals.slice(fromArrival);
    const delays = got.map((a) => a.at - a.stamped);
    const span = got.length > 1 ? (got.at(-1)!.at - got[0]!.at) / 1000 : NaN;
    void hook;
    const result = {
      none,
      webhooks: {
        ...withHooks,
        delivered: new Set(got.map((a) => a.id)).size,
        deliveriesPerS: got.length / span,
        delayP50: pct(delays, 50),
        delayP99: pct(delays, 99),
      },
      load: loadavg()[0]!,
    };
    console.log(`run ${run}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    server.proc.kill('SIGTERM');
    await new Promise((r) => server.proc.once('exit', r));
    receiver.closeAllConnections();
    receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const results: Awaited<ReturnType<typeof oneRun>>[] = [];
console.log(
  `bench/webhooks: ${RUNS} runs, ${SECONDS} s per phase, grades at ${RATE}/s, ${CLIENTS} ingest clients; ${new Date().toISOString()}, load ${loadavg()[0]!.toFixed(1)}`,
);
for (let i = 1; i <= RUNS; i++) results.push(await oneRun(i));
const fmt = (xs: number[], d = 0) => `${median(xs).toFixed(d)} (${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)})`;
const col = (f: (r: (typeof results)[number]) => number) => results.map(f);
console.log('\n| measure | median (min–max) |\n| --- | ---: |');
console.log(`| ingest ev/s, no webhooks | ${fmt(col((r) => r.none.ingestEvPerS))} |`);
console.log(`| ingest ev/s, with webhooks | ${fmt(col((r) => r.webhooks.ingestEvPerS))} |`);
console.log(
  `| ingest with ÷ without | ${fmt(
    col((r) => (100 * r.webhooks.ingestEvPerS) / r.none.ingestEvPerS),
    1,
  )} % |`,
);
console.log(`| grades (events) made /s, no webhooks | ${fmt(col((r) => r.none.gradesPerS))} |`);
console.log(`| grades (events) made /s, with webhooks | ${fmt(col((r) => r.webhooks.gradesPerS))} |`);
console.log(`| messages delivered / made | ${results.map((r) => `${r.webhooks.delivered}/${r.webhooks.made}`).join(', ')} |`);
console.log(`| deliveries/s | ${fmt(col((r) => r.webhooks.deliveriesPerS!))} |`);
console.log(`| event → delivery p50 ms | ${fmt(col((r) => r.webhooks.delayP50!))} |`);
console.log(`| event → delivery p99 ms | ${fmt(col((r) => r.webhooks.delayP99!))} |`);
console.log(
  `| load average (1 min) at run end | ${fmt(
    col((r) => r.load),
    1,
  )} |`,
);
