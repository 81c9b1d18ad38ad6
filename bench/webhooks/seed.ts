/**
 * The world bench/webhooks grades in: a fresh database of its own on the bench's cluster, built by the
 * server's own migrations, with the demo institution and, per tenant, an admin (who signs in to make an
 * API key and a webhook endpoint), one teacher owning `exams` exams, and `attempts` submitted attempts
 * of distinct students spread over those exams. Grading these is the event source: consecutive grades
 * touch different attempts, exams and students, so no row lock of the attempt, its exam's or its
 * student's dashboard aggregate serialises them (the old bench graded one attempt over and over).
 * People, exams and attempts are inserted by SQL (seconds, not minutes of API calls); the database's
 * own triggers keep the dashboard aggregates as they would for rows made through the API.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateToLatest, openPostgres, seedDemoPeople, DEMO_TENANT } from '@veritas/server';

export interface BenchTenant {
  id: string;
  adminEmail: string;
  attemptIds: string[];
}

export interface BenchWorld {
  url: string;
  tenants: BenchTenant[];
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `adminUrl`: any database of the bench's cluster (a new one is made beside it). */
export async function seedWorld(adminUrl: string, opts: { tenants: number; attempts: number; exams: number }): Promise<BenchWorld> {
  const name = `veritas_whb_${randomBytes(5).toString('hex')}`;
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const drop = () => withClient(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined);

  const database = openPostgres(url, 2);
  try {
    await migrateToLatest(database.db);
    await seedDemoPeople(database);
  } finally {
    await database.close();
  }
  const tenants: BenchTenant[] = [];
  await withClient(url, async (c) => {
    // Every admin signs in with the demo password: its hash is the demo admin's.
    const hash = (await c.query<{ h: string }>(`select password_hash as h from users where tenant_id = $1 and role = 'admin' limit 1`, [DEMO_TENANT.id]))
      .rows[0]!.h;
    for (let t = 0; t < opts.tenants; t++) {
      const id = t === 0 ? DEMO_TENANT.id : `tn-whb-${t}`;
      if (t > 0) await c.query(`insert into tenants (id, slug, name) values ($1, $2, $3)`, [id, `whb-${t}`, `Bench school ${t}`]);
      const p = `whb${t}`;
      const adminEmail = `admin-${p}@bench.veritas.test`;
      await c.query(
        `insert into users (id, tenant_id, email, display_name, role, password_hash) values
           ($1, $2, $3, 'Bench admin', 'admin', $4), ($5, $2, $6, 'Bench teacher', 'teacher', null)`,
        [`us-${p}-admin`, id, adminEmail, hash, `us-${p}-teacher`, `teacher-${p}@bench.veritas.test`],
      );
      await c.query(
        `insert into users (id, tenant_id, email, display_name, role, password_hash)
         select 'us-${p}-s' || i, $1, 'student-${p}-' || i || '@bench.veritas.test', 'Student ' || i, 'student', null
         from generate_series(0, $2::int - 1) i`,
        [id, opts.attempts],
      );
      await c.query(
        `insert into exams (id, tenant_id, owner_id, title, kind, max_score, pass_mark, duration_minutes, opens_at, closes_at)
         select 'ex-${p}-' || e, $1, $2, 'Bench exam ' || e, 'writing', 100, 50, 60, now() - interval '1 hour', now() + interval '1 day'
         from generate_series(0, $3::int - 1) e`,
        [id, `us-${p}-teacher`, opts.exams],
      );
      // Attempt k: student k, exam k mod exams; submitted five minutes ago.
      await c.query(
        `insert into attempts (id, tenant_id, exam_id, student_id, state, started_at, deadline_at, finished_at)
         select 'at-${p}-' || k, $1, 'ex-${p}-' || (k % $3::int), 'us-${p}-s' || k, 'submitted',
                now() - interval '10 minutes', now() + interval '50 minutes', now() - interval '5 minutes'
         from generate_series(0, $2::int - 1) k`,
        [id, opts.attempts, opts.exams],
      );
      tenants.push({ id, adminEmail, attemptIds: Array.from({ length: opts.attempts }, (_, k) => `at-${p}-${k}`) });
    }
    await c.query('analyze');
  });
  return { url, tenants, drop };
}
