import { sql } from 'kysely';
import { createTestDatabase } from '../../apps/server/src/testing/test-database';
const t = await createTestDatabase();
const db = t.database.db;
const q = async (s: string) => {
  try {
    await sql.raw(s).execute(db);
  } catch (e) {
    console.log('ERR', s.slice(0, 60), (e as Error).message);
  }
};
await q(`insert into tenants (id, slug, name) values ('t1','t1','T')`);
await q(`insert into users (id, tenant_id, email, display_name, role) values ('u1','t1','a@b','A','student'), ('u2','t1','b@b','B','teacher')`);
await q(
  `insert into exams (id, tenant_id, owner_id, title, kind, max_score, pass_mark, duration_minutes, opens_at, closes_at) values ('e1','t1','u2','E','writing',20,10,60,now(),now())`,
);
await q(`insert into sessions (id, tenant_id, kind, head_hash) values ('s1','t1','writing','h')`);
await q(`insert into attempts (id, tenant_id, exam_id, student_id, state, session_id) values ('a1','t1','e1','u1','in_progress','s1')`);
await q(
  `insert into review_flags (id, tenant_id, session_id, kind, severity, severity_rank, state, message, occurrences, changed_since_decision, created_at, updated_at) values ('f1','t1','s1','k','high',3,'open','m',1,false,now(),now())`,
);
console.log((await sql.raw('select pending from dashboard_attempts').execute(db)).rows);
await q(
  `insert into review_flags (id, tenant_id, session_id, kind, severity, severity_rank, state, message, occurrences, changed_since_decision, created_at, updated_at) values ('f1','t1','s1','k','high',3,'dismissed','m',1,false,now(),now()) on conflict (session_id, kind) do update set state = excluded.state, severity_rank = excluded.severity_rank`,
);
console.log((await sql.raw('select pending from dashboard_attempts').execute(db)).rows, (await sql.raw('select state from review_flags').execute(db)).rows);
await t.drop();
