/** Shared pieces of the dashboards bench: where its database is, and how big it is. */
import pg from 'pg';

/**
 * The server the bench database lives on: by default the shared PostgreSQL (never the `test`
 * database's rows); `--database-url` (or VERITAS_BENCH_PG_URL) points both scripts at another one, e.g.
 * a cluster of the bench's own started under `nice -n -15` so other work does not distort it. Any
 * database name in the URL is replaced by the bench's own; its user must be allowed to create databases.
 */
let SERVER_URL = process.env.VERITAS_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export function useServerUrl(url: string | undefined): void {
  if (url) SERVER_URL = url;
}
export const BENCH_DB = process.env.VERITAS_BENCH_DASHBOARDS_DB ?? 'veritas_bench_dashboards';

export function databaseUrl(name = BENCH_DB): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The password every generated person signs in with (the latency bench signs in with it). */
export const BENCH_PASSWORD = 'bench-dashboards-password-2026';
export const BENCH_TENANT = 'tn-bench';
export const studentEmail = (i: number) => `student${i}@bench.veritas.test`;
export const teacherEmail = (i: number) => `teacher${i}@bench.veritas.test`;

export interface SizeRow {
  table: string;
  rows: number;
  bytes: number;
}

/** The database's size and its largest tables (a partitioned table counted with its partitions). */
export async function databaseSizes(c: pg.Client): Promise<{ database: number; tables: SizeRow[] }> {
  const db = await c.query<{ n: string }>('select pg_database_size(current_database()) as n');
  const t = await c.query<{ table: string; rows: string; bytes: string }>(`
    select c.relname as table,
      case when c.relkind = 'p' then (select coalesce(sum(p.reltuples), 0) from pg_partition_tree(c.oid) pt join pg_class p on p.oid = pt.relid where p.relkind = 'r')
        else greatest(c.reltuples, 0) end::bigint as rows,
      case when c.relkind = 'p' then (select coalesce(sum(pg_total_relation_size(pt.relid)), 0) from pg_partition_tree(c.oid) pt)
        else pg_total_relation_size(c.oid) end::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by bytes desc limit 14`);
  return { database: Number(db.rows[0]!.n), tables: t.rows.map((r) => ({ table: r.table, rows: Number(r.rows), bytes: Number(r.bytes) })) };
}

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 0 })} MB`;
export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** A small seeded generator (mulberry32): the same data on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
