/**
 * What one ingest group costs PostgreSQL's backend, statement form by statement form, measured apart
 * from the server: the backend's own CPU time (/proc/<pid>/stat, so run it on this machine's cluster)
 * per event, for groups of `--batches` batches of 50 events of distinct sessions, each in its own
 * transaction as the group commit does. Forms are interleaved, round after round.
 *   npx tsx bench/ingest/insert-forms.ts [--groups 60] [--batches 20] [--rounds 3]
 * Uses VERITAS_BENCH_DATABASE_URL's cluster (default the bench's own, port 5545), in a database of its own.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { processCpuSeconds } from './cpu';

const { values } = parseArgs({
  options: { groups: { type: 'string', default: '60' }, batches: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } },
});
const groups = Number(values.groups);
const batchesPerGroup = Number(values.batches);
const rounds = Number(values.rounds);
process.env.VERITAS_TEST_DATABASE_URL ??= process.env.VERITAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5545/test';
const { createPostgresDatabase } = await import('../../apps/server/src/testing/test-database');
const { openPostgres } = await import('../../apps/server/src/platform/db/database');
const { migrateToLatest } = await import('../../apps/server/src/platform/db/migrations');

const EVENTS = 50;
const data = (seq: number) =>
  seq % 2 === 0
    ? JSON.stringify({ pos: seq >> 1, del: 0, ins: 'e', cause: 'type', trusted: true })
    : JSON.stringify({ class: 'char', hold: 85, trusted: true });

/** The events part of the append statement, in each form tried ($1..$5: session ids, seqs, ts, types, data). */
const FORMS: Record<string, string> = {
  'from unnest (as committed)': `insert into events (session_id, seq, t, type, data)
    select * from unnest($1::text[], $2::integer[], $3::double precision[], $4::text[], $5::jsonb[])`,
  'select-list unnest': `insert into events (session_id, seq, t, type, data)
    select unnest($1::text[]), unnest($2::integer[]), unnest($3::double precision[]), unnest($4::text[]), unnest($5::jsonb[])`,
  'select-list unnest, data as text': `insert into events (session_id, seq, t, type, data)
    select unnest($1::text[]), unnest($2::integer[]), unnest($3::double precision[]), unnest($4::text[]), unnest($5::text[])::jsonb`,
  'select-list unnest, data as one jsonb array': `insert into events (session_id, seq, t, type, data)
    select unnest($1::text[]), unnest($2::integer[]), unnest($3::double precision[]), unnest($4::text[]), jsonb_array_elements($5::jsonb)`,
};
/** The forms whose data parameter is one JSON array (written by joining the events' data, with nothing to escape). */
const ONE_ARRAY = new Set(['select-list unnest, data as one jsonb array']);

const db = await createPostgresDatabase();
const database = openPostgres(db.url, 2);
await migrateToLatest(database.db);
await database.close();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
try {
  const pid = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
  const sessions = Array.from({ length: batchesPerGroup }, (_, i) => `s-${i}`);
  for (const id of sessions) await client.query(`insert into sessions (id, kind, head_hash) values ($1, 'writing', 'x')`, [id]);
  let next = 0;
  const perEvent = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, text] of Object.entries(FORMS)) {
      const cpu0 = processCpuSeconds(pid);
      const own0 = process.cpuUsage();
      const t0 = performance.now();
      for (let g = 0; g < groups; g++) {
        const ids: string[] = [];
        const seqs: number[] = [];
        const ts: number[] = [];
        const types: string[] = [];
        const datas: string[] = [];
        for (const id of sessions)
          for (let i = 0; i < EVENTS; i++) {
            const seq = next + i;
            ids.push(id);
            seqs.push(seq);
            ts.push(seq * 40);
            types.push(seq % 2 === 0 ? 'text.op' : 'key');
            datas.push(data(seq));
          }
        next += EVENTS;
        await client.query('begin');
        await client.query(text, [ids, seqs, ts, types, ONE_ARRAY.has(name) ? `[${datas.join(',')}]` : datas]);
        await client.query('commit');
      }
      const events = groups * batchesPerGroup * EVENTS;
      const us = ((processCpuSeconds(pid) - cpu0) / events) * 1e6;
      const own = process.cpuUsage(own0);
      perEvent.set(name, [...(perEvent.get(name) ?? []), us]);
      console.log(
        `round ${r + 1} ${name}: backend ${us.toFixed(2)} µs/event, this client ${((own.user + own.system) / events).toFixed(2)} µs/event (building and sending), wall ${(((performance.now() - t0) * 1e3) / events).toFixed(2)} µs/event`,
      );
    }
  }
  for (const [name, xs] of perEvent) console.log(`${name}: ${xs.map((x) => x.toFixed(2)).join(', ')} µs/event`);
} finally {
  await client.end();
  await db.drop();
}
