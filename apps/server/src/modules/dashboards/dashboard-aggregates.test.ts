import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import { createTestDatabase, TEST_DB, type TestDatabase } from '../../testing/test-database';
import { tenantId as asTenantId, type TenantId } from '../../kernel/scope';
import {
  examAttempts,
  findProfile,
  managedExams,
  pendingFlagCount,
  studentAttempts,
  studentPage,
  studentSummary,
  triage,
  type ExamAttemptRow,
  type Managed,
} from './dashboards.repository';
import { examClassOrder, examClassPosition, examPage, examStats, HISTOGRAM_BINS, METRIC_COLUMNS } from './exam-analytics.repository';
import { distributionOf, histogramBins } from './class-standing';
import { percentileRanks } from './class-ranks';
import {
  examAttemptsFromScratch,
  managedExamsFromScratch,
  pendingFlagCountFromScratch,
  studentAttemptsFromScratch,
  studentSummaryFromScratch,
  triageFromScratch,
} from './from-scratch.repository';

/**
 * The dashboard aggregates (schema step 0011, kept by triggers in the writes' own transactions)
 * equal a recomputation from scratch after any sequence of changes to attempts (state, score,
 * session), analyses, review flags and exams (release, pass mark, max score), deletions included.
 * Each sequence runs in a tenant of its own, beside the others, and is checked after every change.
 */
let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await createTestDatabase();
  db = t.database.db as Kysely<DB>;
}, 120_000);
afterAll(async () => t?.drop());

// Few attempts and flag kinds, so that changes meet the same rows again.
const STUDENTS = 2;
const EXAMS = 2;
const STATES = ['not_started', 'in_progress', 'submitted', 'abandoned', 'timed_out', 'graded'] as const;
const FLAG_STATES = ['open', 'awaiting_second_review', 'confirmed', 'dismissed', 'escalated'] as const;
const KINDS = ['paste-share', 'prolonged-absence'] as const;

const who = fc.record({ s: fc.nat(STUDENTS - 1), x: fc.nat(EXAMS - 1) });
const score = fc.option(fc.integer({ min: 0, max: 40 }).map((n) => n / 2));
const change = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('attempt' as const), at: who, state: fc.constantFrom(...STATES), score, session: fc.boolean(), late: fc.nat(100) }),
  },
  fc.record({ op: fc.constant('delete-attempt' as const), at: who }),
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('analysis' as const),
      at: who,
      verdict: fc.constantFrom('scored', 'not-enough-data', 'other'),
      risk: fc.option(fc.constantFrom('low', 'medium', 'high')),
      integrity: fc.option(fc.integer({ min: 0, max: 100 })),
      metric: fc.option(fc.integer({ min: 0, max: 5000 })),
      copy: fc.boolean(),
    }),
  },
  fc.record({ op: fc.constant('delete-analysis' as const), at: who }),
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('flag' as const),
      at: who,
      kind: fc.constantFrom(...KINDS),
      state: fc.constantFrom(...FLAG_STATES),
      changed: fc.boolean(),
      rank: fc.integer({ min: 1, max: 3 }),
      occurrences: fc.nat(20),
    }),
  },
  // A reviewer's decision: the flag's state only, as the review module writes it.
  { weight: 3, arbitrary: fc.record({ op: fc.constant('decide' as const), at: who, kind: fc.constantFrom(...KINDS), state: fc.constantFrom(...FLAG_STATES) }) },
  fc.record({ op: fc.constant('delete-flag' as const), at: who, kind: fc.constantFrom(...KINDS) }),
  fc.record({ op: fc.constant('delete-session' as const), at: who }),
  fc.record({ op: fc.constant('release' as const), x: fc.nat(EXAMS - 1), released: fc.boolean() }),
  fc.record({ op: fc.constant('marks' as const), x: fc.nat(EXAMS - 1), pass: fc.integer({ min: 1, max: 20 }), max: fc.integer({ min: 20, max: 40 }) }),
);
type Change = typeof change extends fc.Arbitrary<infer C> ? C : never;

let world = 0;
/** A tenant with a teacher, STUDENTS students and EXAMS exams; its ids. */
async function newWorld() {
  const w = `w${++world}-${Math.random().toString(36).slice(2, 8)}`;
  const tenant = `tn-${w}`;
  await db.insertInto('tenants').values({ id: tenant, slug: tenant, name: tenant }).execute();
  const teacher = `te-${w}`;
  await db
    .insertInto('users')
    .values({ id: teacher, tenant_id: tenant, email: `${teacher}@x.test`, display_name: 'T', role: 'teacher' })
    .execute();
  const students = Array.from({ length: STUDENTS }, (_, i) => `st-${w}-${i}`);
  for (const [i, id] of students.entries())
    await db
      .insertInto('users')
      .values({ id, tenant_id: tenant, email: `${id}@x.test`, display_name: `S${i % 2}`, role: 'student' })
      .execute();
  const exams = Array.from({ length: EXAMS }, (_, i) => `ex-${w}-${i}`);
  for (const id of exams)
    await db
      .insertInto('exams')
      .values({
        id,
        tenant_id: tenant,
        owner_id: teacher,
        title: id,
        subject: '',
        instructions: '',
        settings: '{}',
        kind: 'writing',
        max_score: 20,
        pass_mark: 10,
        duration_minutes: 60,
        opens_at: new Date('2026-01-01'),
        closes_at: new Date('2026-02-01'),
      })
      .execute();
  return {
    tenant,
    teacher,
    students,
    exams,
    ids: (at: { s: number; x: number }) => ({ attempt: `at-${w}-${at.x}-${at.s}`, session: `se-${w}-${at.x}-${at.s}` }),
  };
}
type World = Awaited<ReturnType<typeof newWorld>>;

async function apply(w: World, c: Change): Promise<void> {
  if (c.op === 'release') {
    await sql`update exams set results_released_at = ${c.released ? new Date() : null} where id = ${w.exams[c.x]!}`.execute(db);
    return;
  }
  if (c.op === 'marks') {
    await sql`update exams set pass_mark = ${c.pass}, max_score = ${c.max} where id = ${w.exams[c.x]!}`.execute(db);
    return;
  }
  const { attempt, session } = w.ids(c.at);
  /** Analyses and flags come from a session: an attempt without one is started first. */
  const ensureSession = async () => {
    const row = await db.selectFrom('attempts').select('session_id').where('id', '=', attempt).executeTakeFirst();
    if (row?.session_id) return;
    await apply(w, { op: 'attempt', at: c.at, state: 'in_progress', score: null, session: true, late: 0 });
  };
  switch (c.op) {
    case 'attempt': {
      if (c.session)
        await sql`insert into sessions (id, tenant_id, owner_id, owner_kind, kind, head_hash) values (${session}, ${w.tenant}, ${w.students[c.at.s]!}, 'user', 'writing', 'h')
          on conflict (id) do nothing`.execute(db);
      const sessionId = c.session ? session : null;
      const created = new Date(Date.UTC(2026, 0, 1, 0, c.late));
      await sql`insert into attempts (id, tenant_id, exam_id, student_id, session_id, state, score, created_at)
        values (${attempt}, ${w.tenant}, ${w.exams[c.at.x]!}, ${w.students[c.at.s]!}, ${sessionId}, ${c.state}, ${c.score}, ${created})
        on conflict (id) do update set state = excluded.state, score = excluded.score, session_id = excluded.session_id`.execute(db);
      return;
    }
    case 'delete-attempt':
      await sql`delete from attempts where id = ${attempt}`.execute(db);
      return;
    case 'analysis': {
      await ensureSession();
      const result = {
        score: { verdict: c.verdict, risk: c.risk, integrity: c.integrity },
        metrics: {
          writing: {
            activeMs: c.metric,
            pauses: { count: c.metric },
            revisions: { deletions: 3 },
            paste: { shareOfFinal: c.metric === null ? null : c.metric / 5000 },
          },
        },
        flags: c.copy ? [{ detector: 'paste-share', severity: 'high' }] : [],
      };
      await sql`insert into analyses (session_id, tenant_id, result, version) values (${session}, ${w.tenant}, ${JSON.stringify(result)}, 'v')
        on conflict (session_id) do update set result = excluded.result`.execute(db);
      return;
    }
    case 'delete-analysis':
      await sql`delete from analyses where session_id = ${session}`.execute(db);
      return;
    case 'flag': {
      await ensureSession();
      const now = new Date();
      await sql`insert into review_flags (id, tenant_id, session_id, kind, severity, severity_rank, state, message, occurrences, changed_since_decision, created_at, updated_at)
        values (${`${session}-${c.kind}`}, ${w.tenant}, ${session}, ${c.kind}, ${['low', 'medium', 'high'][c.rank - 1]!}, ${c.rank}, ${c.state}, 'm', ${c.occurrences}, ${c.changed}, ${now}, ${now})
        on conflict (session_id, kind) do update set state = excluded.state, severity_rank = excluded.severity_rank, occurrences = excluded.occurrences,
          changed_since_decision = excluded.changed_since_decision`.execute(db);
      return;
    }
    case 'decide':
      await sql`update review_flags set state = ${c.state} where session_id = ${session} and kind = ${c.kind}`.execute(db);
      return;
    case 'delete-flag':
      await sql`delete from review_flags where session_id = ${session} and kind = ${c.kind}`.execute(db);
      return;
    case 'delete-session':
      await sql`delete from sessions where id = ${session}`.execute(db);
      return;
  }
}

/** Numbers compared to 9 significant digits: sums kept by additions and subtractions drift in the last bits. */
function rounded<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_, x: unknown) => (typeof x === 'number' ? Number(x.toPrecision(9)) : x))) as T;
}

async function expectAggregatesEqualRecomputation(w: World, derived = true): Promise<void> {
  const tenant: TenantId = asTenantId(w.tenant);
  const managers: Managed[] = [{ kind: 'all' }, { kind: 'teacher', userId: w.teacher }];
  for (const s of w.students) {
    expect(rounded(await studentSummary(db, tenant, s))).toEqual(rounded(await studentSummaryFromScratch(db, tenant, s)));
    expect(rounded(await studentAttempts(db, tenant, s, 200))).toEqual(rounded(await studentAttemptsFromScratch(db, tenant, s, 200)));
    if (!derived) continue;
    // The page's one statement is its three reads.
    const parts = {
      profile: await findProfile(db, tenant, s),
      summary: await studentSummary(db, tenant, s),
      attempts: await studentAttempts(db, tenant, s, 200),
    };
    expect(rounded(await studentPage(db, tenant, s, 200))).toEqual(rounded(parts));
  }
  for (const x of w.exams) {
    const fromScratch = await examAttemptsFromScratch(db, tenant, x, 10_000);
    expect(rounded(await examAttempts(db, tenant, x, 10_000))).toEqual(rounded(fromScratch));
    if (derived) await expectAnalyticsEqualComputation(tenant, x, fromScratch);
    // The exam's aggregate row, against the same sums over the attempts read from scratch.
    const exam = await db.selectFrom('exams').select(['pass_mark']).where('id', '=', x).executeTakeFirstOrThrow();
    const { version, ...row } = await db.selectFrom('dashboard_exams').selectAll().where('exam_id', '=', x).executeTakeFirstOrThrow();
    // The exam's version (schema step 0022) moves whenever its rows do: the class figures a server keeps follow it.
    const facts = JSON.stringify(rounded(fromScratch));
    const seen = versionsSeen.get(x);
    if (seen && seen.facts !== facts) expect(version, `exam ${x} changed but kept version ${version}`).not.toBe(seen.version);
    versionsSeen.set(x, { version, facts });
    const scored = fromScratch.filter((a) => a.verdict === 'scored');
    const count = (f: (a: (typeof fromScratch)[number]) => boolean) => fromScratch.filter(f).length;
    expect(rounded(row)).toEqual(
      rounded({
        exam_id: x,
        tenant_id: w.tenant,
        attempts: fromScratch.length,
        in_progress: count((a) => a.state === 'in_progress'),
        finished: count((a) => ['submitted', 'abandoned', 'timed_out', 'graded'].includes(a.state)),
        graded: count((a) => a.state === 'graded'),
        scored: count((a) => a.score !== null),
        score_sum: fromScratch.reduce((n, a) => n + (a.score ?? 0), 0),
        passed: count((a) => a.score !== null && a.score >= exam.pass_mark),
        integrity_n: count((a) => a.verdict === 'scored' && a.integrity !== null),
        integrity_sum: scored.reduce((n, a) => n + (a.integrity ?? 0), 0),
        risk_low: count((a) => a.verdict === 'scored' && a.risk === 'low'),
        risk_medium: count((a) => a.verdict === 'scored' && a.risk === 'medium'),
        risk_high: count((a) => a.verdict === 'scored' && a.risk === 'high'),
        not_enough_data: count((a) => a.verdict === 'not-enough-data'),
        flagged: count((a) => a.flags > 0),
        pending_flags: fromScratch.reduce((n, a) => n + a.pending, 0),
      }),
    );
  }
  for (const m of managers) {
    expect(rounded(await managedExams(db, tenant, m, 100))).toEqual(rounded(await managedExamsFromScratch(db, tenant, m, 100)));
    expect(await pendingFlagCount(db, tenant, m)).toBe(await pendingFlagCountFromScratch(db, tenant, m));
    expect(rounded(await triage(db, tenant, m, { limit: 50, offset: 0 }))).toEqual(rounded(await triageFromScratch(db, tenant, m, { limit: 50, offset: 0 })));
  }
}

/** The reference bins: binCount equal bins from min to max, counted in JavaScript (the last holding its upper edge). */
function binsOf(values: readonly (number | null)[], binCount: number) {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return [];
  const [min, max] = [Math.min(...xs), Math.max(...xs)];
  if (min === max) return [{ from: min, to: max, count: xs.length }];
  const width = (max - min) / binCount;
  const bins = Array.from({ length: binCount }, (_, i) => ({ from: min + i * width, to: min + (i + 1) * width, count: 0 }));
  for (const v of xs) bins[Math.min(binCount - 1, Math.floor((v - min) / width))]!.count++;
  return bins;
}

/**
 * An exam's figures, distributions, bins and every row's percentile ranks, computed by the database
 * (exam-analytics.repository.ts), equal the same computed in JavaScript from every row read from
 * scratch (class-standing.ts, class-ranks.ts: what the page computed before it was paged); and pages
 * by cursor walk the same rows in the same order.
 */
/** Each exam's version and rows when last checked. */
const versionsSeen = new Map<string, { version: string; facts: string }>();

async function expectAnalyticsEqualComputation(tenant: TenantId, x: string, fromScratch: ExamAttemptRow[]): Promise<void> {
  const stats = await examStats(db, tenant, x);
  const order = await examClassOrder(db, tenant, x);
  const { rows } = await examPage(db, tenant, x, order, { limit: 10_000 });
  expect(rows.map((r) => r.id)).toEqual(fromScratch.map((a) => a.id));
  expect(rows.map((r) => r.student_name)).toEqual(fromScratch.map((a) => a.student_name));
  expect(stats.students).toBe(new Set(fromScratch.map((a) => a.student_id)).size);
  expect(stats.attempts).toBe(fromScratch.length);
  for (const c of METRIC_COLUMNS) {
    const values = fromScratch.map((a) => (a[c] === null ? null : Number(a[c])));
    const { bins, ...distribution } = stats.metrics[c];
    expect(rounded(distribution), c).toEqual(rounded(distributionOf(values)));
    expect(rounded(histogramBins(distribution.min, distribution.max, bins, HISTOGRAM_BINS)), c).toEqual(rounded(binsOf(values, HISTOGRAM_BINS)));
    expect(rounded(rows.map((r) => r[`${c}_rank`])), c).toEqual(rounded(percentileRanks(values)));
  }
  // Walked two rows at a time, the pages are the rows in order, each ranked in the whole class.
  const walked: typeof rows = [];
  for (let after: { name: string; id: string } | undefined; ;) {
    const page = await examPage(db, tenant, x, order, { limit: 2, ...(after ? { after } : {}) });
    walked.push(...page.rows);
    if (!page.next) break;
    after = page.next;
  }
  expect(walked).toEqual(rows);
  // Where the database sorts each cursor (a page whose cursor's row has left the class starts there).
  for (const [i, e] of order.entries()) expect(await examClassPosition(db, tenant, x, { name: e.student_name, id: e.attempt_id })).toBe(i + 1);
  // A cursor missing from the order kept (computed before its row changed) pages from the class read again.
  if (order.length > 1) {
    const after = { name: order[0]!.student_name, id: order[0]!.attempt_id };
    expect((await examPage(db, tenant, x, order.slice(1), { limit: 10_000, after })).rows.map((r) => r.id)).toEqual(order.slice(1).map((e) => e.attempt_id));
  }
}

describe(`dashboard aggregates (${TEST_DB})`, () => {
  it('equal a recomputation from scratch after any sequence of changes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 4, maxLength: 20 }), async (changes) => {
        const w = await newWorld();
        // Checked after every change: a later write to the same attempt would hide a change missed.
        for (const [i, c] of changes.entries()) {
          await apply(w, c);
          // The reads built on the aggregates (the student's one statement, the analytics) once, at the end.
          await expectAggregatesEqualRecomputation(w, i === changes.length - 1);
        }
      }),
      { numRuns: 30 },
    );
  }, 300_000);

  it('follow a flag decided without any other change (open, then dismissed at the same severity)', async () => {
    const w = await newWorld();
    const at = { s: 0, x: 0 };
    await apply(w, { op: 'flag', at, kind: 'paste-share', state: 'open', changed: false, rank: 3, occurrences: 1 });
    await expectAggregatesEqualRecomputation(w);
    await apply(w, { op: 'flag', at, kind: 'paste-share', state: 'dismissed', changed: false, rank: 3, occurrences: 1 });
    await expectAggregatesEqualRecomputation(w);
    const row = await db.selectFrom('dashboard_attempts').select(['flags', 'pending']).where('attempt_id', '=', w.ids(at).attempt).executeTakeFirstOrThrow();
    expect(row).toEqual({ flags: 1, pending: 0 });
  });

  it('equal it after dashboard_rebuild(), which the step ran on existing rows', async () => {
    const w = await newWorld();
    for (const [i, c] of fc.sample(change, { numRuns: 60, seed: 42 }).entries())
      await apply(w, i % 7 === 0 && c.op === 'attempt' ? { ...c, session: true } : c);
    await sql`select dashboard_rebuild()`.execute(db);
    await expectAggregatesEqualRecomputation(w);
  }, 120_000);

  it("compute an exam's distributions and ranks over a class with ties, gaps and equal names as JavaScript does", async () => {
    const w = await newWorld();
    const tenant = asTenantId(w.tenant);
    const metric = fc.option(
      fc.integer({ min: 0, max: 6 }).map((n) => n * 500),
      { freq: 4 },
    );
    for (const [i, m] of fc.sample(metric, { numRuns: 40, seed: 7 }).entries()) {
      const student = `st-${w.tenant}-many-${i}`;
      await db
        .insertInto('users')
        // Names repeat: the attempt id orders the rows of one name.
        .values({ id: student, tenant_id: w.tenant, email: `${student}@x.test`, display_name: `N${i % 7}`, role: 'student' })
        .execute();
      const session = `se-${w.tenant}-many-${i}`;
      await sql`insert into sessions (id, tenant_id, owner_id, owner_kind, kind, head_hash) values (${session}, ${w.tenant}, ${student}, 'user', 'writing', 'h')`.execute(
        db,
      );
      await sql`insert into attempts (id, tenant_id, exam_id, student_id, session_id, state, score, created_at)
        values (${`at-${w.tenant}-many-${i}`}, ${w.tenant}, ${w.exams[0]!}, ${student}, ${session}, 'graded', ${i % 21}, now())`.execute(db);
      const result = {
        score: { verdict: 'scored', risk: 'low', integrity: 50 + i },
        metrics: {
          writing: {
            activeMs: m,
            pauses: { count: i % 3 },
            revisions: { deletions: m === null ? null : 7 },
            paste: { shareOfFinal: m === null ? null : m / 3000 },
          },
        },
        flags: [],
      };
      await sql`insert into analyses (session_id, tenant_id, result, version) values (${session}, ${w.tenant}, ${JSON.stringify(result)}, 'v')`.execute(db);
    }
    await expectAnalyticsEqualComputation(tenant, w.exams[0]!, await examAttemptsFromScratch(db, tenant, w.exams[0]!, 10_000));
  });

  it('keeps events (now partitioned) readable and unique by session and seq', async () => {
    const w = await newWorld();
    const { session } = w.ids({ s: 0, x: 0 });
    await sql`insert into sessions (id, tenant_id, kind, head_hash) values (${session}, ${w.tenant}, 'writing', 'h')`.execute(db);
    await sql`insert into events (session_id, seq, t, type, data) select ${session}, g, g, 'key', '{}' from generate_series(0, 99) g`.execute(db);
    await expect(sql`insert into events (session_id, seq, t, type, data) values (${session}, 5, 0, 'key', '{}')`.execute(db)).rejects.toThrow();
    const parts = await sql<{ n: number }>`select count(*)::int as n from pg_inherits where inhparent = 'events'::regclass`.execute(db);
    expect(parts.rows[0]!.n).toBe(16);
    await sql`delete from sessions where id = ${session}`.execute(db);
    const left = await sql<{ n: number }>`select count(*)::int as n from events where session_id = ${session}`.execute(db);
    expect(left.rows[0]!.n).toBe(0);
  });
});
