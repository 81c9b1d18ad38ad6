import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/tables';
import type { TenantId } from '../../kernel/scope';
import { examAttemptsByIds, type ExamAttemptRow } from './dashboards.repository';

/**
 * An exam's analytics without shipping its attempts: the summary from the exam's aggregate row
 * (`dashboard_exams`, schema step 0011), the class's distributions and histogram bins from one
 * aggregation over the exam's narrow `dashboard_attempts` rows, and a page of the per-student
 * breakdown with each row's percentile ranks computed by window functions over the whole class.
 * The CSV export still reads every row (dashboards.repository.ts `examAttempts`).
 *
 * Staleness (ADR 0031): `examStats` and `examPage` run on the read replica when one is configured and
 * tolerate VERITAS_REPLICA_MAX_LAG_MS (10 s by default) plus one probe interval: class figures.
 */

/** The writing metrics an attempt is placed on against its class: their columns in `dashboard_attempts`. */
export const METRIC_COLUMNS = ['active_ms', 'pauses', 'revisions', 'paste_share'] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** Equal-width bins of a class histogram from its smallest to its largest value (the last bin holds its upper edge). */
export const HISTOGRAM_BINS = 6;

export interface MetricStats {
  count: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
  mean: number | null;
  /** Values per bin index (0 … HISTOGRAM_BINS − 1); a bin without values is absent. */
  bins: Record<string, number>;
}

export interface ExamStatsRow {
  students: number;
  attempts: number;
  scored: number;
  score_sum: number;
  passed: number;
  integrity_n: number;
  integrity_sum: number;
  risk_low: number;
  risk_medium: number;
  risk_high: number;
  not_enough_data: number;
  flagged: number;
  pending_flags: number;
  /** The exam's version these figures were read at (schema step 0022); null without its aggregate row. */
  version: string | null;
  metrics: Record<MetricColumn, MetricStats>;
}

const raw = (s: string) => sql.raw(s);

/** A metric's count, extremes, mean and quartiles (percentile_cont: linear interpolation, as class-standing.ts's `quantile`). */
const metricAggregates = (c: MetricColumn) =>
  raw(
    `count(${c})::int as ${c}_n, min(${c}) as ${c}_min, max(${c}) as ${c}_max, avg(${c}) as ${c}_mean, ` +
      `percentile_cont(array[0.25, 0.5, 0.75]::float8[]) within group (order by ${c}) as ${c}_q`,
  );

/** The histogram of a metric: values per bin index, the same arithmetic as the width in class-standing.ts. */
const metricBins = (c: MetricColumn) =>
  raw(`(select coalesce(json_object_agg(b, n), '{}'::json) from (
      select case when s.${c}_max > s.${c}_min
        then least(floor((x.${c} - s.${c}_min) / ((s.${c}_max - s.${c}_min) / ${HISTOGRAM_BINS})), ${HISTOGRAM_BINS - 1}) else 0 end::int as b,
        count(*)::int as n
      from x where x.${c} is not null group by 1) t) as ${c}_bins`);

const metricOut = (c: MetricColumn) =>
  raw(`s.${c}_n, s.${c}_min, s.${c}_max, s.${c}_mean, s.${c}_q[1] as ${c}_q1, s.${c}_q[2] as ${c}_q2, s.${c}_q[3] as ${c}_q3`);

type StatsRaw = Omit<ExamStatsRow, 'metrics' | 'version'> & Record<string, unknown>;

/** The exam's summary (its aggregate row), unique students, and each metric's distribution and bins: one statement. */
export async function examStats(db: Kysely<DB>, tenantId: TenantId, examId: string): Promise<ExamStatsRow> {
  const result = await sql<StatsRaw>`
    with x as (
      select student_id, ${raw(METRIC_COLUMNS.join(', '))} from dashboard_attempts where tenant_id = ${tenantId} and exam_id = ${examId}
    ), s as (
      select count(distinct student_id)::int as students, ${sql.join(METRIC_COLUMNS.map(metricAggregates))} from x
    )
    select s.students,
      coalesce(de.attempts, 0) as attempts, coalesce(de.scored, 0) as scored, coalesce(de.score_sum, 0) as score_sum,
      coalesce(de.passed, 0) as passed, coalesce(de.integrity_n, 0) as integrity_n, coalesce(de.integrity_sum, 0) as integrity_sum,
      coalesce(de.risk_low, 0) as risk_low, coalesce(de.risk_medium, 0) as risk_medium, coalesce(de.risk_high, 0) as risk_high,
      coalesce(de.not_enough_data, 0) as not_enough_data, coalesce(de.flagged, 0) as flagged, coalesce(de.pending_flags, 0) as pending_flags,
      de.version,
      ${sql.join(METRIC_COLUMNS.map(metricOut))},
      ${sql.join(METRIC_COLUMNS.map(metricBins))}
    from s left join dashboard_exams de on de.exam_id = ${examId} and de.tenant_id = ${tenantId}`.execute(db);
  const r = result.rows[0]!;
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const metrics = Object.fromEntries(
    METRIC_COLUMNS.map((c) => [
      c,
      {
        count: Number(r[`${c}_n`]),
        min: n(r[`${c}_min`]),
        q1: n(r[`${c}_q1`]),
        median: n(r[`${c}_q2`]),
        q3: n(r[`${c}_q3`]),
        max: n(r[`${c}_max`]),
        mean: n(r[`${c}_mean`]),
        bins: (typeof r[`${c}_bins`] === 'string' ? JSON.parse(r[`${c}_bins`] as string) : r[`${c}_bins`]) as Record<string, number>,
      },
    ]),
  ) as Record<MetricColumn, MetricStats>;
  const num = (k: keyof Omit<ExamStatsRow, 'metrics' | 'version'>) => Number(r[k]);
  return {
    students: num('students'),
    attempts: num('attempts'),
    scored: num('scored'),
    score_sum: num('score_sum'),
    passed: num('passed'),
    integrity_n: num('integrity_n'),
    integrity_sum: num('integrity_sum'),
    risk_low: num('risk_low'),
    risk_medium: num('risk_medium'),
    risk_high: num('risk_high'),
    not_enough_data: num('not_enough_data'),
    flagged: num('flagged'),
    pending_flags: num('pending_flags'),
    version: r.version === null || r.version === undefined ? null : String(r.version),
    metrics,
  };
}

/** Where a page of the breakdown starts: after this student name and attempt id (the sort's key). */
export interface StudentPosition {
  name: string;
  id: string;
}

/** An attempt's place in its class: the breakdown's sort key and its percentile rank on each metric. */
export interface ClassEntry {
  attempt_id: string;
  student_name: string;
  active_ms_rank: number | null;
  pauses_rank: number | null;
  revisions_rank: number | null;
  paste_share_rank: number | null;
}

export type ExamPageRow = ExamAttemptRow & Omit<ClassEntry, 'attempt_id' | 'student_name'>;

/**
 * A metric's percentile rank in the class, as class-ranks.ts computes it: the share of the class's
 * values below, equal values counted half; null without a value. Over the window of the non-null
 * values in order: rank() − 1 values are below, count(*) (peers included) are not above.
 */
const metricRank = (c: MetricColumn) =>
  raw(
    `case when da.${c} is null then null else (100 * ((rank() over w_${c} - 1)::float8 + (count(*) over w_${c} - (rank() over w_${c} - 1))::float8 / 2)) ` +
      `/ (count(da.${c}) over ())::float8 end as ${c}_rank`,
  );
const metricWindow = (c: MetricColumn) => raw(`w_${c} as (partition by da.${c} is null order by da.${c})`);

/** The exam's attempts with their student's name (each student by primary key: a lateral with a limit is never turned into a join). */
const classRows = (tenantId: TenantId, examId: string) => sql`dashboard_attempts da
  cross join lateral (select display_name from users where users.id = da.student_id and users.tenant_id = ${tenantId} limit 1) u
  where da.tenant_id = ${tenantId} and da.exam_id = ${examId}`;

/**
 * The whole class in the breakdown's order (student name, then attempt id, in the database's
 * collation), each attempt with its percentile ranks: narrow rows, computed once per version of the
 * exam's figures and kept (exam-class-cache.ts); a page then reads only its own rows whole.
 */
export async function examClassOrder(db: Kysely<DB>, tenantId: TenantId, examId: string): Promise<ClassEntry[]> {
  const result = await sql<ClassEntry>`
    select da.attempt_id, u.display_name as student_name, ${sql.join(METRIC_COLUMNS.map(metricRank))}
    from ${classRows(tenantId, examId)}
    window ${sql.join(METRIC_COLUMNS.map(metricWindow))}
    order by u.display_name, da.attempt_id`.execute(db);
  return result.rows;
}

/** How many of the class sort at or before `after`: where a page starts when its cursor's row is no longer in the class (the database compares, as it sorted). */
export async function examClassPosition(db: Kysely<DB>, tenantId: TenantId, examId: string, after: StudentPosition): Promise<number> {
  const result = await sql<{ n: number }>`
    select count(*)::int as n from ${classRows(tenantId, examId)} and (u.display_name, da.attempt_id) <= (${after.name}, ${after.id})`.execute(db);
  return Number(result.rows[0]!.n);
}

/** The exam's figures version (schema step 0022): new whenever one of its attempts' dashboard rows changes; null for no such exam. */
export async function examVersion(db: Kysely<DB>, tenantId: TenantId, examId: string): Promise<string | null> {
  const row = await db.selectFrom('dashboard_exams').select('version').where('tenant_id', '=', tenantId).where('exam_id', '=', examId).executeTakeFirst();
  return row ? String(row.version) : null;
}

/**
 * A page of the breakdown from the class's order: up to `limit` entries after `after`, each with its
 * attempt's row read now (its student, analysis headline, metrics, flags); `next` is where the
 * following page starts, or null at the end.
 */
export async function examPage(
  db: Kysely<DB>,
  tenantId: TenantId,
  examId: string,
  kept: readonly ClassEntry[],
  page: { limit: number; after?: StudentPosition },
): Promise<{ rows: ExamPageRow[]; next: StudentPosition | null }> {
  let order = kept;
  const after = page.after;
  let start = 0;
  if (after) {
    const find = (o: readonly ClassEntry[]) => o.findIndex((e) => e.student_name === after.name && e.attempt_id === after.id);
    let at = find(order);
    if (at < 0) {
      // The cursor's row is not in the order given (kept from before a change): the class as it is now,
      // then where the database sorts the cursor in it if its row is gone or renamed.
      order = await examClassOrder(db, tenantId, examId);
      at = find(order);
      if (at < 0) at = (await examClassPosition(db, tenantId, examId, after)) - 1;
    }
    start = at + 1;
  }
  const entries = order.slice(start, start + page.limit);
  const found = new Map(
    (
      await examAttemptsByIds(
        db,
        tenantId,
        entries.map((e) => e.attempt_id),
      )
    ).map((r) => [r.id, r]),
  );
  const rows = entries.flatMap(({ attempt_id, student_name, ...ranks }) => {
    const row = found.get(attempt_id);
    // An attempt deleted since the order was computed (retention, erasure) is left out of its page.
    return row ? [{ ...row, student_name, ...ranks }] : [];
  });
  const last = entries[entries.length - 1];
  const next = last && start + page.limit < order.length ? { name: last.student_name, id: last.attempt_id } : null;
  return { rows, next };
}
