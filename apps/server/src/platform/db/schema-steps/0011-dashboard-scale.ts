import { sql, type Kysely } from 'kysely';

/**
 * Dashboards at scale (issue 12, ADR 0018).
 *
 * 1. `events` becomes a table hash-partitioned on `session_id` (16 partitions): every read and write
 *    of events names its session, the key (session_id, seq) holds the partition key, and there is no
 *    absolute time column to range-partition on. Existing rows are copied over.
 * 2. Dashboard aggregates kept in the same transaction as the writes that change them, by triggers
 *    (so no write path can forget them): `dashboard_attempts` (one row per attempt: its state, score,
 *    analysis headline, writing metrics and flag counts, read without opening the analysis JSON),
 *    and, from its changes as deltas, `dashboard_exams` (per exam) and `dashboard_students` (per student).
 */
export const EVENT_PARTITIONS = 16;

/**
 * A review flag waiting for a person: the review module's PENDING states, or decided and changed
 * since. Frozen here as the module's definition was when this step shipped; a change there needs a
 * new step that replaces this function.
 */
const WAITING_FUNCTION = `
create function dashboard_flag_waiting(state text, changed boolean) returns boolean
language sql immutable as $$ select state in ('open', 'awaiting_second_review', 'escalated') or changed $$`;

/** What an attempt's dashboard row is, computed from the source tables (one attempt, or all of them). */
const SOURCE_VIEW = `
create view dashboard_attempt_source as
select a.id as attempt_id, a.tenant_id, a.exam_id, a.student_id, a.session_id, a.state, a.created_at,
  a.started_at, a.finished_at, a.score, e.max_score, e.pass_mark,
  e.results_released_at is not null as released,
  an.session_id is not null as analysed,
  an.result->'score'->>'risk' as risk,
  (an.result->'score'->>'integrity')::double precision as integrity,
  an.result->'score'->>'verdict' as verdict,
  (an.result->'metrics'->'writing'->>'activeMs')::double precision as active_ms,
  (an.result->'metrics'->'writing'->'pauses'->>'count')::double precision as pauses,
  (an.result->'metrics'->'writing'->'revisions'->>'deletions')::double precision as revisions,
  (an.result->'metrics'->'writing'->'paste'->>'shareOfFinal')::double precision as paste_share,
  coalesce(f.flags, 0) as flags, coalesce(f.pending, 0) as pending, coalesce(f.pending_rank, 0) as pending_rank
from attempts a
join exams e on e.id = a.exam_id and e.tenant_id = a.tenant_id
left join analyses an on an.session_id = a.session_id and an.tenant_id = a.tenant_id
left join lateral (
  select count(*)::int as flags,
    (count(*) filter (where dashboard_flag_waiting(rf.state, rf.changed_since_decision)))::int as pending,
    coalesce(max(rf.severity_rank) filter (where dashboard_flag_waiting(rf.state, rf.changed_since_decision)), 0)::int as pending_rank
  from review_flags rf where rf.session_id = a.session_id and rf.tenant_id = a.tenant_id
) f on a.session_id is not null`;

const FACT_COLUMNS = [
  'tenant_id',
  'exam_id',
  'student_id',
  'session_id',
  'state',
  'created_at',
  'started_at',
  'finished_at',
  'score',
  'max_score',
  'pass_mark',
  'released',
  'analysed',
  'risk',
  'integrity',
  'verdict',
  'active_ms',
  'pauses',
  'revisions',
  'paste_share',
  'flags',
  'pending',
  'pending_rank',
];
const ALL_FACT_COLUMNS = ['attempt_id', ...FACT_COLUMNS].join(', ');

/**
 * Recomputes one attempt's row. The row is locked first and read by the next statement, whose
 * snapshot is taken after the lock: two transactions refreshing the same attempt see each other's
 * committed writes instead of one overwriting the other with what it saw before waiting.
 */
const REFRESH_FUNCTION = `
create function dashboard_refresh_attempt(p_attempt text) returns void language plpgsql as $$
begin
  perform 1 from dashboard_attempts where attempt_id = p_attempt for update;
  delete from dashboard_attempts where attempt_id = p_attempt and not exists (select 1 from attempts where id = p_attempt);
  insert into dashboard_attempts (${ALL_FACT_COLUMNS})
  select ${ALL_FACT_COLUMNS} from dashboard_attempt_source where attempt_id = p_attempt
  on conflict (attempt_id) do update set ${FACT_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
  where (${FACT_COLUMNS.map((c) => `dashboard_attempts.${c}`).join(', ')}) is distinct from (${FACT_COLUMNS.map((c) => `excluded.${c}`).join(', ')});
end $$`;

/** An attempt row's part in its exam's and its student's aggregates (r: a dashboard_attempts row; s: +1 or -1). */
const EXAM_PARTS: Record<string, string> = {
  attempts: '1',
  in_progress: `((r).state = 'in_progress')::int`,
  finished: `((r).state in ('submitted', 'abandoned', 'timed_out', 'graded'))::int`,
  graded: `((r).state = 'graded')::int`,
  scored: '((r).score is not null)::int',
  score_sum: 'coalesce((r).score, 0)',
  passed: 'coalesce((r).score >= (r).pass_mark, false)::int',
  integrity_n: `((r).verdict = 'scored' and (r).integrity is not null)::int`,
  integrity_sum: `case when (r).verdict = 'scored' then coalesce((r).integrity, 0) else 0 end`,
  risk_low: `((r).verdict = 'scored' and (r).risk = 'low')::int`,
  risk_medium: `((r).verdict = 'scored' and (r).risk = 'medium')::int`,
  risk_high: `((r).verdict = 'scored' and (r).risk = 'high')::int`,
  not_enough_data: `((r).verdict = 'not-enough-data')::int`,
  flagged: '((r).flags > 0)::int',
  pending_flags: '(r).pending',
};
const STUDENT_PARTS: Record<string, string> = {
  total: '1',
  released: '((r).released and (r).score is not null)::int',
  passed: '((r).released and (r).score is not null and (r).score >= (r).pass_mark)::int',
  percent_sum: 'case when (r).released and (r).score is not null then 100.0 * (r).score / (r).max_score else 0 end',
};
const sums = (parts: Record<string, string>) =>
  Object.entries(parts)
    // A part is null when what it tests is (no verdict yet): it counts as 0.
    .map(([k, e]) => `coalesce(sum(s * coalesce(${e}, 0)), 0) as ${k}`)
    .join(', ');
const adds = (table: string, parts: Record<string, string>) =>
  Object.keys(parts)
    .map((k) => `${k} = ${table}.${k} + d.${k}`)
    .join(', ');
const nonZero = (parts: Record<string, string>) =>
  Object.keys(parts)
    .map((k) => `d.${k} <> 0`)
    .join(' or ');

/**
 * A dashboard_attempts row changed: add the difference of its parts to its exam's and student's rows
 * (additions commute, so concurrent writers need no ordering). Skipped while the rebuild fills the table.
 */
const DELTA_FUNCTION = `
create function dashboard_attempts_delta() returns trigger language plpgsql as $$
begin
  if current_setting('veritas.dashboard_rebuild', true) = 'on' then return null; end if;
  with rows as (
    select -1 as s, old::dashboard_attempts as r where tg_op <> 'INSERT'
    union all select 1, new::dashboard_attempts where tg_op <> 'DELETE'
  ), d as (select (r).exam_id, ${sums(EXAM_PARTS)} from rows group by (r).exam_id)
  update dashboard_exams x set ${adds('x', EXAM_PARTS)} from d where x.exam_id = d.exam_id and (${nonZero(EXAM_PARTS)});
  with rows as (
    select -1 as s, old::dashboard_attempts as r where tg_op <> 'INSERT'
    union all select 1, new::dashboard_attempts where tg_op <> 'DELETE'
  ), d as (select (r).tenant_id, (r).student_id, ${sums(STUDENT_PARTS)} from rows group by (r).tenant_id, (r).student_id)
  insert into dashboard_students (tenant_id, student_id, ${Object.keys(STUDENT_PARTS).join(', ')})
  select tenant_id, student_id, ${Object.keys(STUDENT_PARTS).join(', ')} from d where ${nonZero(STUDENT_PARTS)}
  on conflict (tenant_id, student_id) do update set ${Object.keys(STUDENT_PARTS)
    .map((k) => `${k} = dashboard_students.${k} + excluded.${k}`)
    .join(', ')};
  return null;
end $$`;

/** Rebuilds every aggregate from the source tables (the step's backfill; the bench's generator after a bulk load). */
const REBUILD_FUNCTION = `
create function dashboard_rebuild() returns void language plpgsql as $$
begin
  perform set_config('veritas.dashboard_rebuild', 'on', true);
  delete from dashboard_attempts;
  delete from dashboard_exams;
  delete from dashboard_students;
  insert into dashboard_attempts (${ALL_FACT_COLUMNS}) select ${ALL_FACT_COLUMNS} from dashboard_attempt_source;
  insert into dashboard_exams (exam_id, tenant_id, ${Object.keys(EXAM_PARTS).join(', ')})
  select e.id, e.tenant_id, ${Object.keys(EXAM_PARTS)
    .map((k) => `coalesce(d.${k}, 0)`)
    .join(', ')}
  from exams e left join (select (r).exam_id, ${sums(EXAM_PARTS)} from (select 1 as s, x as r from dashboard_attempts x) p group by (r).exam_id) d on d.exam_id = e.id;
  insert into dashboard_students (tenant_id, student_id, ${Object.keys(STUDENT_PARTS).join(', ')})
  select (r).tenant_id, (r).student_id, ${sums(STUDENT_PARTS)} from (select 1 as s, x as r from dashboard_attempts x) p group by (r).tenant_id, (r).student_id;
  perform set_config('veritas.dashboard_rebuild', 'off', true);
end $$`;

const SOURCE_TRIGGERS = [
  `create function dashboard_on_attempt() returns trigger language plpgsql as $$
   begin perform dashboard_refresh_attempt(coalesce(new.id, old.id)); return null; end $$`,
  `create trigger dashboard_on_attempt after insert or update or delete on attempts for each row execute function dashboard_on_attempt()`,
  // Analyses and flags reach their attempt through its session.
  `create function dashboard_on_session_row() returns trigger language plpgsql as $$
   declare a text;
   begin
     for a in select id from attempts where session_id = coalesce(new.session_id, old.session_id) loop perform dashboard_refresh_attempt(a); end loop;
     return null;
   end $$`,
  `create trigger dashboard_on_analysis after insert or update or delete on analyses for each row execute function dashboard_on_session_row()`,
  `create trigger dashboard_on_flag_added after insert or delete on review_flags for each row execute function dashboard_on_session_row()`,
  // A flag's occurrences change often (consolidated alerts); only what the counts read matters.
  `create trigger dashboard_on_flag_changed after update on review_flags for each row
   when (old.state is distinct from new.state or old.changed_since_decision is distinct from new.changed_since_decision
     or old.severity_rank is distinct from new.severity_rank or old.session_id is distinct from new.session_id)
   execute function dashboard_on_session_row()`,
  `create function dashboard_on_exam() returns trigger language plpgsql as $$
   begin
     if tg_op = 'INSERT' then
       insert into dashboard_exams (exam_id, tenant_id) values (new.id, new.tenant_id) on conflict do nothing;
     else
       update dashboard_attempts set released = new.results_released_at is not null, pass_mark = new.pass_mark, max_score = new.max_score
       where tenant_id = new.tenant_id and exam_id = new.id;
     end if;
     return null;
   end $$`,
  `create trigger dashboard_on_exam_added after insert on exams for each row execute function dashboard_on_exam()`,
  `create trigger dashboard_on_exam_changed after update on exams for each row
   when ((old.results_released_at is null) <> (new.results_released_at is null) or old.pass_mark <> new.pass_mark or old.max_score <> new.max_score)
   execute function dashboard_on_exam()`,
];

async function partitionEvents(db: Kysely<unknown>): Promise<void> {
  await sql`create table events_partitioned (
    session_id text not null references sessions(id) on delete cascade,
    seq integer not null,
    t double precision not null,
    type text not null,
    data jsonb not null,
    constraint events_partitioned_pk primary key (session_id, seq)
  ) partition by hash (session_id)`.execute(db);
  for (let i = 0; i < EVENT_PARTITIONS; i++)
    await sql`create table ${sql.raw(`events_p${String(i).padStart(2, '0')}`)} partition of events_partitioned for values with (modulus ${sql.raw(String(EVENT_PARTITIONS))}, remainder ${sql.raw(String(i))})`.execute(
      db,
    );
  await sql`insert into events_partitioned (session_id, seq, t, type, data) select session_id, seq, t, type, data from events`.execute(db);
  await sql`drop table events`.execute(db);
  await sql`alter table events_partitioned rename to events`.execute(db);
  await sql`alter table events rename constraint events_partitioned_pk to events_pk`.execute(db);
}

async function dashboardAggregates(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create table dashboard_attempts (
      attempt_id text primary key,
      tenant_id text not null, exam_id text not null, student_id text not null, session_id text,
      state text not null, created_at timestamptz not null, started_at timestamptz, finished_at timestamptz,
      score double precision, max_score double precision not null, pass_mark double precision not null,
      released boolean not null, analysed boolean not null,
      risk text, integrity double precision, verdict text,
      active_ms double precision, pauses double precision, revisions double precision, paste_share double precision,
      flags integer not null, pending integer not null, pending_rank integer not null
    )`,
    `create index dashboard_attempts_exam on dashboard_attempts (tenant_id, exam_id)`,
    `create index dashboard_attempts_student on dashboard_attempts (tenant_id, student_id, created_at desc, attempt_id desc)`,
    `create table dashboard_exams (
      exam_id text primary key references exams(id) on delete cascade,
      tenant_id text not null,
      ${Object.keys(EXAM_PARTS)
        .map((k) => `${k} ${k.endsWith('_sum') ? 'double precision' : 'integer'} not null default 0`)
        .join(',\n      ')}
    )`,
    `create table dashboard_students (
      tenant_id text not null, student_id text not null,
      ${Object.keys(STUDENT_PARTS)
        .map((k) => `${k} ${k.endsWith('_sum') ? 'double precision' : 'integer'} not null default 0`)
        .join(',\n      ')},
      primary key (tenant_id, student_id)
    )`,
    WAITING_FUNCTION,
    SOURCE_VIEW,
    REFRESH_FUNCTION,
    DELTA_FUNCTION,
    REBUILD_FUNCTION,
    `create trigger dashboard_attempts_delta after insert or update or delete on dashboard_attempts for each row execute function dashboard_attempts_delta()`,
    ...SOURCE_TRIGGERS,
    `select dashboard_rebuild()`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function dashboardScaleMigration(db: Kysely<unknown>): Promise<void> {
  await partitionEvents(db);
  await dashboardAggregates(db);
}
