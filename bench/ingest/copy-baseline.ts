import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned } from './server-process';

const COPY_SCRIPT = fileURLToPath(new URL('./copy-process.ts', import.meta.url));

/** The same rows the ingest stores, as COPY text lines. */
function copyLines(sessionId: string, n: number): string[] {
  const lines: string[] = [];
  for (let seq = 0; seq < n; seq++) {
    const data =
      seq % 2 === 0 ? `{"pos": ${seq >> 1}, "del": 0, "ins": "e", "cause": "type", "trusted": true}` : '{"class": "char", "hold": 85, "trusted": true}';
    lines.push(`${sessionId}\t${seq}\t${seq * 40}\t${seq % 2 === 0 ? 'text.op' : 'key'}\t${data}\n`);
  }
  return lines;
}

/** Rows per second of a raw COPY into the events table of PostgreSQL: the ceiling ingest is measured against. */
export async function copyRatePostgres(url: string, rows: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const sid = `copy-baseline-${randomUUID()}`;
    await client.query(`insert into sessions (id, kind, head_hash) values ($1, 'writing', 'x')`, [sid]);
    const lines = copyLines(sid, rows);
    const start = performance.now();
    await client.query('begin');
    await pipeline(Readable.from(lines), client.query(copyFrom('copy events (session_id, seq, t, type, data) from stdin')));
    await client.query('commit');
    return rows / ((performance.now() - start) / 1000);
  } finally {
    await client.end();
  }
}

/** The same against a PGlite in this process (COPY from a blob). */
export async function copyRatePglite(rows: number): Promise<number> {
  const db = new PGlite();
  await db.exec(`create table sessions (id text primary key, kind text, head_hash text);
    create table events (session_id text references sessions(id), seq integer, t double precision, type text, data jsonb, primary key (session_id, seq));
    insert into sessions values ('s', 'writing', 'x');`);
  const blob = new Blob(copyLines('s', rows));
  const start = performance.now();
  await db.query(`copy events (session_id, seq, t, type, data) from '/dev/blob'`, [], { blob });
  const rate = rows / ((performance.now() - start) / 1000);
  await db.close();
  return rate;
}

/** One COPY in its own process at the bench's nice level (copy-process.ts): rows per second. */
export function copyRateInProcess(storage: 'postgres' | 'pglite', url: string | undefined, rows: number): Promise<number> {
  const [cmd, args] = pinned(undefined, process.execPath, ['--import', 'tsx', COPY_SCRIPT, storage, url ?? '-', String(rows)]);
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, stdout) => {
      const rate = Number(stdout.trim());
      if (err || !Number.isFinite(rate)) reject(err ?? new Error(`copy baseline printed ${stdout}`));
      else resolve(rate);
    });
  });
}
