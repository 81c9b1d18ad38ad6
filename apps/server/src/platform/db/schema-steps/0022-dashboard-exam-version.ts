import { sql, type Kysely } from 'kysely';

/**
 * An exam's analytics version (issue 12, ADR 0018 "Class figures cached per exam"): any change to one
 * of its `dashboard_attempts` rows gives its `dashboard_exams` row a new `version`, from a sequence so
 * that a rebuild (which deletes and re-inserts the aggregate rows) never hands out a version seen
 * before. A server keeps an exam's class figures and ranking while the version it read them at is
 * still the exam's, so a read never shows figures older than the last committed change.
 */
export async function dashboardExamVersionMigration(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `create sequence dashboard_exam_version`,
    `alter table dashboard_exams add column version bigint not null default nextval('dashboard_exam_version')`,
    `create function dashboard_exam_touch() returns trigger language plpgsql as $$
begin
  -- The rebuild deletes and re-inserts the exam rows, each with a fresh version.
  if current_setting('veritas.dashboard_rebuild', true) = 'on' then return null; end if;
  update dashboard_exams set version = nextval('dashboard_exam_version')
  where exam_id in (select (r).exam_id from (select old::dashboard_attempts as r where tg_op <> 'INSERT'
                                          union all select new::dashboard_attempts where tg_op <> 'DELETE') t);
  return null;
end $$`,
    `create trigger dashboard_exam_touch after insert or update or delete on dashboard_attempts for each row execute function dashboard_exam_touch()`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);
}
