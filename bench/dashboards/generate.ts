/**
 * Fills a database of its own on the shared PostgreSQL with a school at scale, by COPY: one tenant,
 * 100,000 students in classes of 25, 1,000 teachers, 1,000 exams, 1,000,000 attempts with their
 * sessions, scores, analyses and review flags, and 10,000,000 events. The database is dropped and
 * made again on every run (the server's own migrations build it), so the generator is re-runnable.
 *
 *   npx tsx bench/dashboards/generate.ts [--students 100000] [--events 10000000] [--exams-per-group 10]
 *
 * Shape (seeded, the same on every run): students in year groups of 40 classes (1,000 students);
 * each group sits 10 exams over the year, set by one of its 10 teachers and co-taught by the others,
 * so an exam has 1,000 attempts. The last exam of each group is open now (attempts in progress or
 * not started); the one before it is graded but not released; the older ones are released.
 * Analyses: 92% scored (risk low 80%, medium 14%, high 6%), 8% too little data; medium and high
 * risk raise one or two review flags in every review state. Events: 10 per started session on
 * average (1 to 20), shaped like the recorder's (consent, focus, then text.op and key).
 *
 * Loading runs with session_replication_role = replica (no triggers, no foreign-key checks: the rows
 * are consistent by construction); the dashboard aggregates are then built once by the schema's own
 * dashboard_rebuild(). Prints the rate of each table and of the whole, and the database's size.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openPostgres } from '../../apps/server/src/platform/db/database';
import { migrateToLatest } from '../../apps/server/src/platform/db/migrations';
import { argon2Hasher } from '../../apps/server/src/modules/auth/passwords';
import {
  BENCH_DB,
  BENCH_PASSWORD,
  BENCH_TENANT,
  databaseSizes,
  databaseUrl,
  fmt,
  mb,
  rng,
  studentEmail,
  teacherEmail,
  useServerUrl,
  withClient,
} from './common';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    students: { type: 'string', default: '100000' },
    events: { type: 'string', default: '10000000' },
    'exams-per-group': { type: 'string', default: '10' },
  },
});
useServerUrl(args['database-url']);
const CLASS_SIZE = 25;
const CLASSES_PER_GROUP = 40;
const TEACHERS_PER_GROUP = 10;
const GROUP = CLASS_SIZE * CLASSES_PER_GROUP;
const STUDENTS = Math.ceil(Number(args.students) / GROUP) * GROUP;
const GROUPS = STUDENTS / GROUP;
const EXAMS_PER_GROUP = Number(args['exams-per-group']);
const EXAMS = GROUPS * EXAMS_PER_GROUP;
const TEACHERS = GROUPS * TEACHERS_PER_GROUP;
const CLASSES = GROUPS * CLASSES_PER_GROUP;
const ATTEMPTS = STUDENTS * EXAMS_PER_GROUP;
const EVENTS = Number(args.events);

const DAY = 86_400_000;
const NOW = Date.now();
const STATES = ['not_started', 'in_progress', 'submitted', 'abandoned', 'timed_out', 'graded'] as const;
const [NOT_STARTED, IN_PROGRESS, SUBMITTED, ABANDONED, TIMED_OUT, GRADED] = [0, 1, 2, 3, 4, 5];
/** Analysis outcome per attempt: none, too little data, scored low / medium / high. */
const [NONE, NED, LOW, MEDIUM, HIGH] = [0, 1, 2, 3, 4];
const RISK = ['', '', 'low', 'medium', 'high'];
const FLAG_STATES = ['open', 'open', 'open', 'dismissed', 'dismissed', 'dismissed', 'confirmed', 'confirmed', 'escalated', 'awaiting_second_review'];
const FLAG_KINDS = { medium: ['burst-after-return', 'prolonged-absence'], high: ['paste-share', 'external-paste'] };

const pad = (n: number, w = 7) => String(n).padStart(w, '0');
const examId = (x: number) => `ex-bench-${pad(x, 5)}`;
const studentId = (i: number) => `us-bench-s${pad(i)}`;
const teacherId = (t: number) => `us-bench-t${pad(t, 5)}`;
const attemptId = (k: number) => `at-bench-${pad(k, 8)}`;
const sessionId = (k: number) => `se-bench-${pad(k, 8)}`;
const classId = (c: number) => `cl-bench-${pad(c, 5)}`;
const ts = (ms: number) => new Date(ms).toISOString();
const N = '\\N';

/** When exam x (the e-th of its group) opens: the group's last exam opened 3 days ago, the others 35 days apart before it. */
const examOpens = (x: number) => NOW - 3 * DAY - (EXAMS_PER_GROUP - 1 - (x % EXAMS_PER_GROUP)) * 35 * DAY + Math.floor(x / EXAMS_PER_GROUP) * 60_000;
const examReleased = (x: number) => x % EXAMS_PER_GROUP < EXAMS_PER_GROUP - 2;
/** The open exam is a week-long writing assignment (its attempts in progress stay within their deadline while the bench runs); the others last an hour. */
const examMinutes = (x: number) => (x % EXAMS_PER_GROUP === EXAMS_PER_GROUP - 1 ? 7 * 24 * 60 : 60);

// ------------------------------------------------------------------------------------------------
// Per attempt facts, drawn once (typed arrays: 1,000,000 attempts fit in a few MB)
// ------------------------------------------------------------------------------------------------
const state = new Uint8Array(ATTEMPTS);
const outcome = new Uint8Array(ATTEMPTS);
const score = new Float32Array(ATTEMPTS);
const integrity = new Float32Array(ATTEMPTS);
const eventCount = new Uint16Array(ATTEMPTS);
const flagStates = new Uint8Array(ATTEMPTS * 2);

function drawAttempts(): { sessions: number; analyses: number; flags: number } {
  const r = rng(12);
  const ability = new Float32Array(STUDENTS).map(() => 8 + 9 * r());
  let sessions = 0;
  let analyses = 0;
  let flags = 0;
  for (let k = 0; k < ATTEMPTS; k++) {
    const i = Math.floor(k / EXAMS_PER_GROUP);
    const e = k % EXAMS_PER_GROUP;
    const u = r();
    if (e === EXAMS_PER_GROUP - 1) state[k] = u < 0.2 ? NOT_STARTED : u < 0.5 ? IN_PROGRESS : SUBMITTED;
    else state[k] = u < 0.02 ? NOT_STARTED : u < 0.05 ? ABANDONED : u < 0.07 ? TIMED_OUT : GRADED;
    score[k] = state[k] === GRADED ? Math.max(0, Math.min(20, Math.round(2 * (ability[i]! + 6 * (r() - 0.5))) / 2)) : NaN;
    if (state[k] === NOT_STARTED || state[k] === IN_PROGRESS) outcome[k] = NONE;
    else {
      const v = r();
      outcome[k] = v < 0.08 ? NED : v < 0.08 + 0.92 * 0.8 ? LOW : v < 0.08 + 0.92 * 0.94 ? MEDIUM : HIGH;
      analyses++;
    }
    integrity[k] = outcome[k] === LOW ? 75 + 25 * r() : outcome[k] === MEDIUM ? 50 + 25 * r() : outcome[k] === HIGH ? 10 + 40 * r() : NaN;
    const nFlags = outcome[k] === MEDIUM ? 1 : outcome[k] === HIGH ? 2 : 0;
    for (let f = 0; f < nFlags; f++) flagStates[2 * k + f] = 1 + Math.floor(r() * FLAG_STATES.length);
    flags += nFlags;
    if (state[k] !== NOT_STARTED) sessions++;
  }
  // Events: 1 to 2·avg−1 per started session, then the total made exact.
  const avg = EVENTS / sessions;
  let total = 0;
  for (let k = 0; k < ATTEMPTS; k++)
    if (state[k] !== NOT_STARTED) {
      eventCount[k] = Math.max(1, Math.min(60_000, 1 + Math.floor(r() * (2 * avg - 1))));
      total += eventCount[k]!;
    }
  for (let k = 0; total !== EVENTS; k = (k + 1) % ATTEMPTS) {
    if (state[k] === NOT_STARTED) continue;
    const n = eventCount[k]!;
    if (total < EVENTS && n < 60_000) {
      eventCount[k] = n + 1;
      total++;
    } else if (total > EVENTS && n > 1) {
      eventCount[k] = n - 1;
      total--;
    }
  }
  return { sessions, analyses, flags };
}

// ------------------------------------------------------------------------------------------------
// COPY
// ------------------------------------------------------------------------------------------------
const rates: { table: string; rows: number; seconds: number }[] = [];

/** COPYs the lines `rows` yields into `table`, in chunks of about 1 MB, with progress on stderr. */
async function copy(c: pg.Client, table: string, columns: string, rows: () => Generator<string>): Promise<void> {
  const t0 = performance.now();
  let n = 0;
  let nextReport = 1_000_000;
  function* chunks() {
    let buf: string[] = [];
    let size = 0;
    for (const line of rows()) {
      buf.push(line);
      size += line.length;
      n++;
      if (size > 1 << 20) {
        yield buf.join('');
        buf = [];
        size = 0;
      }
      if (n >= nextReport) {
        const s = (performance.now() - t0) / 1000;
        process.stderr.write(`  ${table}: ${fmt(n)} rows, ${fmt(n / s)} rows/s\n`);
        nextReport += 1_000_000;
      }
    }
    if (buf.length) yield buf.join('');
  }
  await pipeline(Readable.from(chunks()), c.query(copyFrom(`copy ${table} (${columns}) from stdin`)));
  const seconds = (performance.now() - t0) / 1000;
  rates.push({ table, rows: n, seconds });
  process.stderr.write(`${table}: ${fmt(n)} rows in ${fmt(seconds, 1)} s (${fmt(n / seconds)} rows/s)\n`);
}

function* users(passwordHash: string) {
  yield `${BENCH_TENANT}-admin\t${BENCH_TENANT}\tadmin@bench.veritas.test\tBench Admin\tadmin\t${passwordHash}\t${N}\n`;
  for (let t = 0; t < TEACHERS; t++) yield `${teacherId(t)}\t${BENCH_TENANT}\t${teacherEmail(t)}\tTeacher ${t}\tteacher\t${passwordHash}\t${N}\n`;
  for (let i = 0; i < STUDENTS; i++) yield `${studentId(i)}\t${BENCH_TENANT}\t${studentEmail(i)}\tStudent ${pad(i, 6)}\tstudent\t${passwordHash}\tE${pad(i)}\n`;
}
/** Class c belongs to group ⌊c/40⌋; each teacher of the group has 4 of its classes. */
const classTeacher = (c: number) => Math.floor(c / CLASSES_PER_GROUP) * TEACHERS_PER_GROUP + (c % TEACHERS_PER_GROUP);
function* classes() {
  for (let c = 0; c < CLASSES; c++) yield `${classId(c)}\t${BENCH_TENANT}\tClass ${c}\t${teacherId(classTeacher(c))}\n`;
}
function* classMembers() {
  for (let i = 0; i < STUDENTS; i++) yield `${classId(Math.floor(i / CLASS_SIZE))}\t${studentId(i)}\t${BENCH_TENANT}\n`;
}
const SUBJECTS = ['English', 'History', 'Biology', 'Geography', 'Philosophy'];
const EXAM_SETTINGS = JSON.stringify({ analysis: {}, accommodations: { dictation: false, assistiveTechnology: false } });
const examOwner = (x: number) => Math.floor(x / EXAMS_PER_GROUP) * TEACHERS_PER_GROUP + (x % TEACHERS_PER_GROUP);
function* exams() {
  for (let x = 0; x < EXAMS; x++) {
    const opens = examOpens(x);
    const released = examReleased(x) ? ts(opens + 14 * DAY) : N;
    yield `${examId(x)}\t${BENCH_TENANT}\t${teacherId(examOwner(x))}\tEssay ${x}\t${SUBJECTS[x % SUBJECTS.length]}\tWrite an essay.\twriting\t20\t10\t${examMinutes(x)}\t${ts(opens)}\t${ts(opens + (examMinutes(x) > 60 ? 14 : 7) * DAY)}\t${EXAM_SETTINGS}\t${released}\t${ts(opens - DAY)}\t${ts(opens - DAY)}\n`;
  }
}
function* examClasses() {
  for (let x = 0; x < EXAMS; x++) {
    const g = Math.floor(x / EXAMS_PER_GROUP);
    for (let c = g * CLASSES_PER_GROUP; c < (g + 1) * CLASSES_PER_GROUP; c++) yield `${examId(x)}\t${classId(c)}\t${BENCH_TENANT}\n`;
  }
}
function* examCoTeachers() {
  for (let x = 0; x < EXAMS; x++) {
    const g = Math.floor(x / EXAMS_PER_GROUP);
    for (let t = g * TEACHERS_PER_GROUP; t < (g + 1) * TEACHERS_PER_GROUP; t++)
      if (t !== examOwner(x)) yield `${examId(x)}\t${teacherId(t)}\t${BENCH_TENANT}\n`;
  }
}

/** Attempt k's times: started within the exam's first days, 20–60 minutes of writing. */
function times(k: number) {
  const x = Math.floor(k / GROUP / EXAMS_PER_GROUP) * EXAMS_PER_GROUP + (k % EXAMS_PER_GROUP);
  const opens = examOpens(x);
  const h = (k * 2654435761) >>> 0;
  const started = opens + (h % (3 * DAY));
  const writing = 20 * 60_000 + (h % (40 * 60_000));
  return { x, created: opens + (h % (2 * DAY)) - DAY / 2, started, finished: started + writing, writing };
}
const FINISHED = (s: number) => s === SUBMITTED || s === ABANDONED || s === TIMED_OUT || s === GRADED;

function* sessions() {
  for (let k = 0; k < ATTEMPTS; k++) {
    const s = state[k]!;
    if (s === NOT_STARTED) continue;
    const { started, finished } = times(k);
    const i = Math.floor(k / EXAMS_PER_GROUP);
    const n = eventCount[k]!;
    yield `${sessionId(k)}\t${BENCH_TENANT}\t${studentId(i)}\tuser\twriting\t${FINISHED(s) ? 'ended' : 'active'}\tlive\t{"title":"Essay"}\t${ts(started)}\t${FINISHED(s) ? ts(finished) : N}\t${n}\th${k}\t${n * 120}\t{}\t${ts(started + examMinutes(times(k).x) * 60_000)}\n`;
  }
}
function* attempts() {
  for (let k = 0; k < ATTEMPTS; k++) {
    const s = state[k]!;
    const { x, created, started, finished } = times(k);
    const i = Math.floor(k / EXAMS_PER_GROUP);
    const go = s !== NOT_STARTED;
    const graded = s === GRADED;
    yield `${attemptId(k)}\t${BENCH_TENANT}\t${examId(x)}\t${studentId(i)}\t${go ? sessionId(k) : N}\t${STATES[s]}\t${go ? ts(started) : N}\t${go ? ts(started + examMinutes(x) * 60_000) : N}\t${FINISHED(s) ? ts(finished) : N}\t${graded ? ts(finished + 5 * DAY) : N}\t${graded ? score[k] : N}\t${graded ? 'user' : N}\t${graded ? teacherId(examOwner(x)) : N}\t${ts(created)}\n`;
  }
}

/** An analysis result of the server's format with the fields the dashboards read, the rest trimmed (ADR 0018 gives its size). */
function analysisOf(k: number): string {
  const o = outcome[k]!;
  const { writing } = times(k);
  const h = (k * 40503) >>> 0;
  const high = o === HIGH;
  const paste = high ? 0.3 + (h % 60) / 100 : o === MEDIUM ? (h % 20) / 100 : (h % 5) / 100;
  const flags =
    o === MEDIUM || o === HIGH
      ? (o === HIGH ? FLAG_KINDS.high : FLAG_KINDS.medium.slice(0, 1)).map(
          (d, f) =>
            `{"detector":"${d}","severity":"${high && f === 0 ? 'high' : 'medium'}","evidence":{"seqFrom":${2 + f},"seqTo":${8 + f},"tFrom":${1000 * f},"tTo":${4000 + 1000 * f},"excerpt":"the river runs"},"message":"${d} measured beyond its threshold.","values":{"share":${paste.toFixed(3)},"threshold":0.3}}`,
        )
      : [];
  const score =
    o === NED
      ? `{"verdict":"not-enough-data"}`
      : `{"verdict":"scored","integrity":${integrity[k]!.toFixed(2)},"risk":"${RISK[o]}","components":{"writing":${(integrity[k]! / 100).toFixed(3)}}}`;
  return `{"format":"veritas.analysis/v2","score":${score},"metrics":{"writing":{"totalMs":${writing},"activeMs":${Math.round(writing * (0.5 + (h % 40) / 100))},"pauses":{"thresholdMs":2000,"count":${20 + (h % 180)},"totalPauseMs":${Math.round(writing * 0.3)},"sentencePauseShare":${((h % 100) / 100).toFixed(2)}},"revisions":{"deletions":${10 + (h % 290)},"deletedChars":${40 + (h % 900)}},"paste":{"count":${paste > 0 ? 1 + (h % 4) : 0},"chars":${Math.round(paste * 2400)},"shareOfFinal":${paste.toFixed(3)}},"finalChars":2400}},"flags":[${flags.join(',')}],"notes":[],"capabilities":{"keys":true,"text":true},"notChecked":[]}`;
}
function* analyses() {
  for (let k = 0; k < ATTEMPTS; k++) {
    if (outcome[k] === NONE) continue;
    yield `${sessionId(k)}\t${BENCH_TENANT}\t${analysisOf(k)}\tbench\t${ts(times(k).finished + 60_000)}\n`;
  }
}
function* reviewFlags() {
  for (let k = 0; k < ATTEMPTS; k++) {
    const o = outcome[k]!;
    if (o !== MEDIUM && o !== HIGH) continue;
    const kinds = o === HIGH ? FLAG_KINDS.high : FLAG_KINDS.medium.slice(0, 1);
    const at = ts(times(k).finished + 120_000);
    for (let f = 0; f < kinds.length; f++) {
      const sev = o === HIGH && f === 0 ? 'high' : 'medium';
      const st = FLAG_STATES[flagStates[2 * k + f]! - 1]!;
      yield `fl-bench-${pad(k, 8)}-${f}\t${BENCH_TENANT}\t${sessionId(k)}\t${kinds[f]}\t${sev}\t${sev === 'high' ? 3 : 2}\t${st}\t${kinds[f]} beyond its threshold\t${1 + (k % 5)}\t1000\t5000\t${st === 'confirmed' ? teacherId(0) : N}\t${k % 97 === 0}\t${at}\t${at}\n`;
    }
  }
}
const EVENT_DATA = {
  op: (n: number) => `{"pos":${n},"del":0,"ins":"${String.fromCharCode(97 + (n % 26))}","cause":"type"}`,
  key: (n: number) => `{"class":"char","hold":${60 + (n % 50)}.${n % 10}}`,
};
function* events() {
  for (let k = 0; k < ATTEMPTS; k++) {
    const n = eventCount[k]!;
    if (n === 0) continue;
    const sid = sessionId(k);
    let t = 0;
    for (let seq = 0; seq < n; seq++) {
      let line: string;
      if (seq === 0) line = `${sid}\t0\t0\tconsent\t{"policy":"veritas-demo-v1","accepted":true}\n`;
      else if (seq === 1) line = `${sid}\t1\t1\tfocus\t{"state":"focus"}\n`;
      else {
        t += 40 + ((seq * 7919 + k) % 160);
        line = seq % 2 === 0 ? `${sid}\t${seq}\t${t}\ttext.op\t${EVENT_DATA.op(seq)}\n` : `${sid}\t${seq}\t${t}\tkey\t${EVENT_DATA.key(seq)}\n`;
      }
      yield line;
    }
  }
}

async function main() {
  const t0 = performance.now();
  console.log(
    `dashboards bench data: ${fmt(STUDENTS)} students, ${fmt(TEACHERS)} teachers, ${fmt(CLASSES)} classes, ${fmt(EXAMS)} exams, ${fmt(ATTEMPTS)} attempts, ${fmt(EVENTS)} events → ${BENCH_DB}`,
  );
  await withClient(databaseUrl('postgres'), async (c) => {
    await c.query(`drop database if exists ${BENCH_DB} with (force)`);
    await c.query(`create database ${BENCH_DB}`);
  });
  const database = openPostgres(databaseUrl(), 2);
  await migrateToLatest(database.db);
  await database.close();
  const drawn = drawAttempts();
  const passwordHash = await argon2Hasher.hash(BENCH_PASSWORD);
  const tLoad = performance.now();
  await withClient(databaseUrl(), async (c) => {
    await c.query('set session_replication_role = replica');
    await c.query(`insert into tenants (id, slug, name) values ($1, 'bench', 'Bench School')`, [BENCH_TENANT]);
    await copy(c, 'users', 'id, tenant_id, email, display_name, role, password_hash, enrollment_id', () => users(passwordHash));
    await copy(c, 'classes', 'id, tenant_id, name, teacher_id', classes);
    await copy(c, 'class_members', 'class_id, user_id, tenant_id', classMembers);
    await copy(
      c,
      'exams',
      'id, tenant_id, owner_id, title, subject, instructions, kind, max_score, pass_mark, duration_minutes, opens_at, closes_at, settings, results_released_at, created_at, updated_at',
      exams,
    );
    await copy(c, 'exam_classes', 'exam_id, class_id, tenant_id', examClasses);
    await copy(c, 'exam_co_teachers', 'exam_id, user_id, tenant_id', examCoTeachers);
    await copy(
      c,
      'sessions',
      'id, tenant_id, owner_id, owner_kind, kind, status, source, meta, created_at, ended_at, next_seq, head_hash, last_t, analysis_settings, closes_at',
      sessions,
    );
    await copy(
      c,
      'attempts',
      'id, tenant_id, exam_id, student_id, session_id, state, started_at, deadline_at, finished_at, graded_at, score, graded_by_kind, graded_by_id, created_at',
      attempts,
    );
    await copy(c, 'analyses', 'session_id, tenant_id, result, version, analyzed_at', analyses);
    await copy(
      c,
      'review_flags',
      'id, tenant_id, session_id, kind, severity, severity_rank, state, message, occurrences, first_t, last_t, first_confirmed_by, changed_since_decision, created_at, updated_at',
      reviewFlags,
    );
    await copy(c, 'events', 'session_id, seq, t, type, data', events);
    const loadS = (performance.now() - tLoad) / 1000;
    const rows = rates.reduce((n, r) => n + r.rows, 0);
    const tAn = performance.now();
    await c.query('analyze');
    const analyzeS = (performance.now() - tAn) / 1000;
    // Still without triggers: the rebuild fills the aggregates in three statements.
    const tAgg = performance.now();
    process.stderr.write('building the dashboard aggregates (dashboard_rebuild)…\n');
    await c.query('select dashboard_rebuild()');
    await c.query('set session_replication_role = origin');
    await c.query('analyze dashboard_attempts, dashboard_exams, dashboard_students');
    const aggS = (performance.now() - tAgg) / 1000;
    const sizes = await databaseSizes(c);

    console.log(`\ndrawn: ${fmt(drawn.sessions)} sessions, ${fmt(drawn.analyses)} analyses, ${fmt(drawn.flags)} review flags`);
    console.log('\n| table | rows | seconds | rows/s |\n| --- | ---: | ---: | ---: |');
    for (const r of rates) console.log(`| ${r.table} | ${fmt(r.rows)} | ${fmt(r.seconds, 1)} | ${fmt(r.rows / r.seconds)} |`);
    console.log(`| **all COPY** | ${fmt(rows)} | ${fmt(loadS, 1)} | ${fmt(rows / loadS)} |`);
    console.log(
      `\ndashboard_rebuild(): ${fmt(aggS, 1)} s; analyze: ${fmt(analyzeS, 1)} s; total with migrations: ${fmt((performance.now() - t0) / 1000, 1)} s`,
    );
    console.log(`\ndatabase ${BENCH_DB}: ${mb(sizes.database)}\n\n| table | rows (estimate) | size with indexes |\n| --- | ---: | ---: |`);
    for (const t of sizes.tables) console.log(`| ${t.table} | ${fmt(t.rows)} | ${mb(t.bytes)} |`);
  });
}

await main();
