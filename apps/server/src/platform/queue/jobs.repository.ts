import { sql } from 'kysely';
import type { Db } from '../db/database';

/**
 * SQL of the embedded job runner. Jobs are infrastructure, not tenant data: they carry the tenant
 * scope in their payload and the handler applies it, so these functions take no scope.
 * Times come from the database clock (`now()`), so several processes agree on them.
 */
export interface JobRow {
  id: string;
  name: string;
  key: string | null;
  data: unknown;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  lock_token: string | null;
  last_error: string | null;
}

const COLUMNS = ['id', 'name', 'key', 'data', 'status', 'attempts', 'max_attempts', 'lock_token', 'last_error'] as const;

/** Inserts a job unless one with the same (name, key) exists; true when inserted. */
export async function insertJob(db: Db, job: { id: string; name: string; key: string | null; data: unknown; maxAttempts: number }): Promise<boolean> {
  const r = await db
    .insertInto('jobs')
    .values({ id: job.id, name: job.name, key: job.key, data: JSON.stringify(job.data ?? null), status: 'queued', max_attempts: job.maxAttempts })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function findJob(db: Db, name: string, id: string): Promise<JobRow | undefined> {
  return (await db.selectFrom('jobs').select(COLUMNS).where('id', '=', id).where('name', '=', name).executeTakeFirst()) as JobRow | undefined;
}

/**
 * Parks runs that outlived their visibility timeout with no attempt left: their process died
 * (or the job kills it) every time, so running it again would loop forever.
 */
export async function parkAbandonedJobs(db: Db, name: string): Promise<number> {
  const r = await sql`
    update jobs set status = 'failed', finished_at = now(), updated_at = now(), lock_token = null, locked_until = null,
      last_error = coalesce(last_error || '; ', '') || 'the run was abandoned (its worker stopped answering) ' || attempts || ' time(s)'
    where name = ${name} and status = 'running' and locked_until < now() and attempts >= max_attempts`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Claims up to `limit` due jobs of a queue: queued ones whose time has come, and running ones
 * whose visibility timeout passed (their worker died). `for update skip locked` lets several
 * workers poll the same table without taking the same job.
 */
export async function claimJobs(db: Db, name: string, limit: number, token: string, visibilityMs: number): Promise<JobRow[]> {
  const r = await sql<JobRow>`
    update jobs set status = 'running', attempts = attempts + 1, lock_token = ${token},
      locked_until = now() + ${visibilityMs} * interval '1 millisecond', updated_at = now()
    where id in (
      select id from jobs
      where name = ${name} and ((status = 'queued' and run_at <= now()) or (status = 'running' and locked_until < now()))
      order by run_at, created_at
      limit ${limit}
      for update skip locked)
    returning id, name, key, data, status, attempts, max_attempts, lock_token, last_error`.execute(db);
  return r.rows;
}

/** Keeps a run alive: pushes its visibility timeout forward. False when the run was taken over. */
export async function extendJobLock(db: Db, id: string, token: string, visibilityMs: number): Promise<boolean> {
  const r =
    await sql`update jobs set locked_until = now() + ${visibilityMs} * interval '1 millisecond' where id = ${id} and lock_token = ${token} and status = 'running'`.execute(
      db,
    );
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function completeJob(db: Db, id: string, token: string): Promise<boolean> {
  const r = await sql`
    update jobs set status = 'done', finished_at = now(), updated_at = now(), lock_token = null, locked_until = null
    where id = ${id} and lock_token = ${token} and status = 'running'`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Records a failed run: queued again after `retryInMs`, or parked ('failed') when no attempt is left. */
export async function failJob(db: Db, id: string, token: string, error: string, retryInMs: number): Promise<'retry' | 'failed' | 'lost'> {
  const r = await sql<{ status: string }>`
    update jobs set
      status = case when attempts >= max_attempts then 'failed' else 'queued' end,
      run_at = case when attempts >= max_attempts then run_at else now() + ${retryInMs} * interval '1 millisecond' end,
      finished_at = case when attempts >= max_attempts then now() else null end,
      last_error = ${error}, updated_at = now(), lock_token = null, locked_until = null
    where id = ${id} and lock_token = ${token} and status = 'running'
    returning status`.execute(db);
  const status = r.rows[0]?.status;
  return status === undefined ? 'lost' : status === 'failed' ? 'failed' : 'retry';
}

/** Jobs of a queue by status (done ones are not counted: they are history). */
export async function countJobs(db: Db, name: string): Promise<{ queued: number; running: number; failed: number }> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('name', '=', name)
    .where('status', '!=', 'done')
    .groupBy('status')
    .execute();
  const of = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { queued: of('queued'), running: of('running'), failed: of('failed') };
}
