import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { loadConfig } from '../src/config/config';
import { buildApp, type App } from '../src/http/app';
import { openPostgres, type Database } from '../src/platform/db/database';
import { migrateToLatest } from '../src/platform/db/migrations';
import { REPLICA_APPLICATION_NAME } from '../src/platform/db/read-replica';
import { startRole } from '../src/roles/start-role';
import { buildInstitution, until, type Institution } from '../src/testing/institution';
import type { Person } from '../src/testing/people';
import { freePort } from '../src/testing/own-redis';

/**
 * Issue 16, "Beyond one database server" (ADR 0031): dashboards read from a PostgreSQL streaming
 * replica, writes stay on the primary, and a replica that stops or trails past the bound hands its
 * reads back to the primary. This test makes its OWN primary (initdb as the postgres user,
 * wal_level=replica, a replication line in pg_hba.conf) and a standby of it (pg_basebackup -R), each
 * on a port of its own; the shared cluster on 5432 is never touched. It does not depend on the
 * suite's storage (VERITAS_TEST_DB) and runs in both passes. Which server answered a query is read
 * from pg_stat_statements on each of them (loaded on both; the extension replicates).
 */

const BIN = '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;
const skipReason = !existsSync(join(BIN, 'pg_basebackup'))
  ? `no PostgreSQL binaries under ${BIN}`
  : !asRoot
    ? 'needs root to run initdb and pg_ctl as the postgres user'
    : undefined;

/** The lag past which reads leave the replica; short, so the test can wait past it. */
const MAX_LAG_MS = 4000;

function asPostgres(cmd: string, args: string[]): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface Cluster {
  data: string;
  port: number;
  url: string;
  start(): void;
  stop(mode: 'fast' | 'immediate'): void;
}

function cluster(dir: string, name: string, port: number): Cluster {
  const data = join(dir, name);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all`;
  return {
    data,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => asPostgres('pg_ctl', ['start', '-D', data, '-w', '-t', '120', '-l', join(dir, `${name}.log`), '-o', opts]),
    stop: (mode) => asPostgres('pg_ctl', ['stop', '-D', data, '-w', '-t', '120', '-m', mode]),
  };
}

let dir = '';
let primary: Cluster;
let standby: Cluster;
let database: Database;
let app: App;
let s: Institution;
let examId = '';
const direct: { primary?: pg.Client; standby?: pg.Client } = {};

/** A client straight to a cluster, outside the app (the observer's view). */
async function connect(c: Cluster): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: c.url, application_name: 'replica-test-observer' });
  client.on('error', () => {});
  await client.connect();
  return client;
}
/** How often the teacher dashboard's exams query (its `coalesce(de.in_progress` column) ran on this server. */
async function managedExamsCalls(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `select coalesce(sum(calls), 0)::int as n from pg_stat_statements where query like '%coalesce(de.in_progress%'`,
  );
  return rows[0]!.n;
}
const get = (who: Person, url: string) => app.inject({ method: 'GET', url, headers: who.headers });
interface ExamCard {
  id: string;
  title: string;
  attempts: { total: number; inProgress: number };
}
/** The exam as the teacher's dashboard shows it. */
async function teacherExam(): Promise<ExamCard | undefined> {
  const r = await get(s.teacher, '/v1/teachers/me/dashboard');
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { exams: ExamCard[] }).exams.find((e) => e.id === examId);
}
/** A commit on the primary, waited for on the replica: its last replayed transaction is now, so its lag starts from zero. */
async function tick(): Promise<void> {
  await direct.primary!.query('create table if not exists replica_tick (at timestamptz); insert into replica_tick values (now())');
  const { rows } = await direct.primary!.query<{ n: number }>('select count(*)::int as n from replica_tick');
  await until(
    async () =>
      (await direct.standby!.query<{ n: number }>('select count(*)::int as n from replica_tick').catch(() => ({ rows: [{ n: -1 }] }))).rows[0]!.n ===
      rows[0]!.n,
    'the tick replayed',
    30_000,
    20,
  );
}
async function attemptsOnStandby(): Promise<number> {
  const { rows } = await direct.standby!.query<{ n: number }>('select count(*)::int as n from attempts where exam_id = $1', [examId]);
  return rows[0]!.n;
}

beforeAll(async () => {
  if (skipReason) return;
  dir = mkdtempSync(join(tmpdir(), 'veritas-replica-'));
  chmodSync(dir, 0o755);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  primary = cluster(dir, 'primary', await freePort());
  standby = cluster(dir, 'standby', await freePort());
  asPostgres('initdb', ['-D', primary.data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  appendFileSync(join(primary.data, 'postgresql.conf'), '\nwal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n');
  appendFileSync(join(primary.data, 'pg_hba.conf'), '\nhost replication postgres 127.0.0.1/32 trust\n');
  primary.start();
  // -R: standby.signal and primary_conninfo, so the copy starts as a streaming standby of the primary.
  asPostgres('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.data, '-R', '-X', 'stream', '--no-sync']);
  standby.start();
  direct.primary = await connect(primary);
  await direct.primary.query('create extension if not exists pg_stat_statements');

  database = openPostgres(primary.url, 5, { replica: { url: standby.url, maxLagMs: MAX_LAG_MS, checkMs: 100 } });
  await migrateToLatest(database.db);
  const config = loadConfig({}, { dataDir: undefined, logLevel: 'silent', role: 'api', jobs: { driver: 'embedded', pollIntervalMs: 200, concurrency: 1 } });
  app = await buildApp({ config, database, logger: false });
  await startRole(app, config);
  await app.ready();
  s = await buildInstitution(app);
  const cls = await database.db.selectFrom('classes').select('id').where('teacher_id', '=', s.teacher.user.id).executeTakeFirstOrThrow();
  const hour = 3_600_000;
  const exam = await app.inject({
    method: 'POST',
    url: '/v1/exams',
    headers: s.teacher.headers,
    payload: {
      title: 'Rivers',
      subject: 'English',
      kind: 'writing',
      maxScore: 20,
      passMark: 10,
      durationMinutes: 60,
      opensAt: new Date(Date.now() - hour).toISOString(),
      closesAt: new Date(Date.now() + 3 * hour).toISOString(),
      classIds: [cls.id],
    },
  });
  expect(exam.statusCode, exam.body).toBe(201);
  examId = (exam.json() as { id: string }).id;
  direct.standby = await connect(standby);
  await until(async () => (await database.replica!.check()).state === 'up', 'the replica up', 60_000);
  await until(async () => (await direct.standby!.query('select 1 from exams where id = $1', [examId])).rowCount === 1, 'the exam on the replica', 60_000);
}, 240_000);

afterAll(async () => {
  if (skipReason) return;
  await app?.close();
  await database?.close();
  await direct.primary?.end().catch(() => {});
  await direct.standby?.end().catch(() => {});
  for (const c of [standby, primary]) {
    try {
      c?.stop('immediate');
    } catch {
      // already stopped
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe.skipIf(skipReason !== undefined)(`a read replica beside the primary${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('serves the teacher dashboard from the replica, takes the write on the primary, and reads the write once replay catches up', async () => {
    const before = { primary: await managedExamsCalls(direct.primary!), standby: await managedExamsCalls(direct.standby!) };
    await tick();
    expect(await teacherExam()).toMatchObject({ attempts: { total: 0 } });
    // The dashboard's query ran on the replica, by the app's replica pool, and not on the primary.
    expect(await managedExamsCalls(direct.standby!)).toBe(before.standby + 1);
    expect(await managedExamsCalls(direct.primary!)).toBe(before.primary);
    const { rows } = await direct.standby!.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where application_name = $1', [
      REPLICA_APPLICATION_NAME,
    ]);
    expect(rows[0]!.n).toBeGreaterThan(0);

    // The replica stops replaying: what is written now reaches the primary only.
    await direct.standby!.query('select pg_wal_replay_pause()');
    try {
      const started = await app.inject({ method: 'POST', url: `/v1/exams/${examId}/attempts`, headers: s.student.headers });
      expect(started.statusCode, started.body).toBe(201);
      const onPrimary = await direct.primary!.query('select count(*)::int as n from attempts where exam_id = $1', [examId]);
      expect(onPrimary.rows[0].n).toBe(1);
      expect(await attemptsOnStandby()).toBe(0);
      // Within the bound the dashboard still reads the replica: it does not show the attempt yet.
      expect(await teacherExam()).toMatchObject({ attempts: { total: 0 } });
      // An exam's analytics reads the replica too, and its audit entry (a write) lands on the primary.
      const analytics = await get(s.teacher, `/v1/exams/${examId}/analytics`);
      expect(analytics.statusCode, analytics.body).toBe(200);
      expect(analytics.json()).toMatchObject({ summary: { attempts: 0 } });
      const audited = await direct.primary!.query("select count(*)::int as n from audit_log where action = 'exam.analytics.read' and resource_id = $1", [
        examId,
      ]);
      expect(audited.rows[0].n).toBe(1);
      // The student's own page reads the primary: right after starting, the attempt is there.
      const mine = await get(s.student, '/v1/students/me/dashboard');
      expect(mine.statusCode).toBe(200);
      expect((mine.json() as { attempts: { examId: string }[] }).attempts.map((a) => a.examId)).toContain(examId);
    } finally {
      await direct.standby!.query('select pg_wal_replay_resume()');
    }
    // Replay goes on: the replica catches up and the dashboard shows the attempt, read from the replica.
    await until(async () => (await attemptsOnStandby()) === 1, 'the attempt replayed on the replica', 30_000);
    await until(async () => (await teacherExam())?.attempts.total === 1, 'the dashboard showing the attempt', 30_000);
    const standbyCalls = await managedExamsCalls(direct.standby!);
    expect(await teacherExam()).toMatchObject({ attempts: { total: 1, inProgress: 1 } });
    expect(await managedExamsCalls(direct.standby!)).toBe(standbyCalls + 1);
  }, 120_000);

  it('hands reads to the primary while the replica trails past the bound, and back once it catches up', async () => {
    await tick();
    await direct.standby!.query('select pg_wal_replay_pause()');
    try {
      const renamed = await app.inject({ method: 'PATCH', url: `/v1/exams/${examId}`, headers: s.teacher.headers, payload: { title: 'Rivers and seas' } });
      expect(renamed.statusCode, renamed.body).toBe(200);
      await new Promise((r) => setTimeout(r, MAX_LAG_MS + 1500));
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
      const replica = (ready.json() as { replica: { state: string; lagMs?: number } }).replica;
      expect(replica.state).toBe('lagging');
      expect(replica.lagMs).toBeGreaterThan(MAX_LAG_MS);
      // Past the bound: the primary answers, with the new title; the replica still holds the old one.
      const primaryCalls = await managedExamsCalls(direct.primary!);
      expect(await teacherExam()).toMatchObject({ title: 'Rivers and seas' });
      expect(await managedExamsCalls(direct.primary!)).toBe(primaryCalls + 1);
      expect((await direct.standby!.query('select title from exams where id = $1', [examId])).rows[0].title).toBe('Rivers');
    } finally {
      await direct.standby!.query('select pg_wal_replay_resume()');
    }
    await until(async () => (await database.replica!.check()).state === 'up', 'the replica caught up', 30_000);
  }, 60_000);

  it('falls back to the primary with no 500 when the replica stops, reports it on /ready, and returns to it when it is back', async () => {
    await direct.standby!.end();
    direct.standby = undefined;
    standby.stop('immediate');
    // Reads in flight and right after: every one answered from the primary, none a 500 or a 503.
    const primaryCalls = await managedExamsCalls(direct.primary!);
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(s.teacher, '/v1/teachers/me/dashboard')));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(8).fill(200));
    for (const a of answers) expect((a.json() as { exams: ExamCard[] }).exams.find((e) => e.id === examId)).toMatchObject({ attempts: { total: 1 } });
    expect(await managedExamsCalls(direct.primary!)).toBe(primaryCalls + 8);
    const analytics = await get(s.teacher, `/v1/exams/${examId}/analytics`);
    expect(analytics.statusCode, analytics.body).toBe(200);
    const detail = await get(s.teacher, `/v1/students/${s.student.user.id}`);
    expect(detail.statusCode, detail.body).toBe(200);
    // Readiness reports the replica down and stays ready: the primary serves its reads.
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', database: 'postgres', replica: { state: 'down' } });

    standby.start();
    direct.standby = await connect(standby);
    await until(async () => (await database.replica!.check()).state === 'up', 'the replica back', 60_000);
    await new Promise((r) => setTimeout(r, 200));
    const standbyCalls = await managedExamsCalls(direct.standby);
    expect(await teacherExam()).toMatchObject({ attempts: { total: 1 } });
    expect(await managedExamsCalls(direct.standby)).toBe(standbyCalls + 1);
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({ replica: { state: 'up' } });
  }, 120_000);
});
