/**
 * Summarises bench runs: median and range per storage and load, and where the CPU went.
 *   npx tsx bench/ingest/summary.ts runs.jsonl [label]   (rows written by ingest.ts --out)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface RunRow {
  label: string;
  /** When the load started (ISO), the nice level of the bench's processes, and their pinning. */
  at?: string;
  nice?: number;
  /** The load generator's HTTP client: raw (prepared bytes on keep-alive sockets) or node (http.request); absent before 1 Dec 2026 12:00 UTC (node). */
  loadClient?: 'raw' | 'node';
  /** The real-time priority the open loop ran at (BENCH_OPEN_RT), 0 when it did not. */
  realtime?: number;
  pinned?: { server: string | null; load: string | null };
  storage: string;
  run: number;
  load: 'open' | 'closed';
  offered: number | null;
  durable: number;
  p50: number;
  p99: number;
  /** Ack p50 / p99 of the batches sent after the first interval (every session's first batch, the server's first run of the ingest path, left out). */
  p50Steady?: number;
  p99Steady?: number;
  /** Ack p99 measured from when each batch was due by the schedule (open loop), not when it left. */
  p99FromDue?: number;
  /** p99 of how late the generator sent a batch against its schedule (its own timer lateness). */
  lateP99?: number;
  /** The load generator's own event-loop delay during the load, ms. */
  loadLoopDelay?: { p99: number; max: number };
  errors: number;
  /** Median of the run's COPY baseline (six COPYs bracketing the loads), and their range. */
  copy: number;
  copyRange?: [number, number];
  /** 1-minute load average of the machine when the load started. */
  loadavg: number;
  /** Wall time the load generator took to seal one batch (canonical JSON, SHA-256, HMAC). */
  sealUsPerBatch: number;
  /** Cores used during the load, by whom ('other': the rest of the machine). */
  cpu: { server: number; postgres: number; postgresBackground: number; loadGenerator: number; other: number; idle: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
/** "median (min–max)" */
const mr = (xs: number[], d = 0, unit = '') => {
  if (xs.length === 1) return `${fmt(xs[0]!, d)}${unit}`;
  return `${fmt(median(xs), d)}${unit} (${fmt(Math.min(...xs), d)}–${fmt(Math.max(...xs), d)})`;
};

export function printSummary(rows: RunRow[]): void {
  const groups = new Map<string, RunRow[]>();
  for (const r of rows) {
    const k = `${r.label}|${r.storage}|${r.load}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  console.log('median (min–max) over runs; durable ÷ COPY is computed within each run');
  console.log('');
  console.log(
    '| config | storage | load | runs | load avg | durable ev/s | ack p50 ms | ack p99 ms | ack p99 ms, steady | errors | raw COPY rows/s | durable ÷ COPY |',
  );
  console.log('| --- | --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const g of groups.values()) {
    const r0 = g[0]!;
    console.log(
      `| ${r0.label || '—'} | ${r0.storage} | ${r0.load === 'open' ? `open, ${fmt(r0.offered ?? 0)} ev/s` : 'closed (max)'} | ${g.length} | ${mr(
        g.map((r) => r.loadavg),
        1,
      )} | ${mr(g.map((r) => r.durable))} | ${mr(
        g.map((r) => r.p50),
        1,
      )} | ${mr(
        g.map((r) => r.p99),
        1,
      )} | ${
        g.every((r) => r.p99Steady !== undefined)
          ? mr(
              g.map((r) => r.p99Steady!),
              1,
            )
          : '—'
      } | ${g.reduce((a, r) => a + r.errors, 0)} | ${mr(g.map((r) => r.copy))} | ${mr(
        g.map((r) => (r.durable / r.copy) * 100),
        1,
        '%',
      )} |`,
    );
  }
  console.log('');
  console.log('cores used during the load (median over runs; 2 cores in all)');
  console.log('');
  console.log(
    '| config | storage | load | server | PostgreSQL backends | PostgreSQL background | load generator | rest of the machine | idle | server µs/event | PostgreSQL µs/event | server + PostgreSQL µs/event | load generator µs/event | sealing µs/batch |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const g of groups.values()) {
    const r0 = g[0]!;
    const c = (k: keyof RunRow['cpu']) => fmt(median(g.map((r) => r.cpu[k])), 2);
    // CPU time per durable event: what a component costs, whatever else shares the machine.
    const perEvent = (k: 'server' | 'postgres' | 'loadGenerator') =>
      r0.storage === 'pglite' && k === 'postgres' ? '—' : fmt(median(g.map((r) => (r.cpu[k] / r.durable) * 1e6)), 1);
    const both = r0.storage === 'pglite' ? '—' : fmt(median(g.map((r) => ((r.cpu.server + r.cpu.postgres) / r.durable) * 1e6)), 1);
    console.log(
      `| ${r0.label || '—'} | ${r0.storage} | ${r0.load} | ${c('server')} | ${c('postgres')} | ${c('postgresBackground')} | ${c('loadGenerator')} | ${c('other')} | ${c('idle')} | ${perEvent('server')} | ${perEvent('postgres')} | ${both} | ${perEvent('loadGenerator')} | ${fmt(median(g.map((r) => r.sealUsPerBatch)))} |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, label] = process.argv.slice(2);
  const rows = readFileSync(file!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunRow);
  printSummary(label ? rows.filter((r) => r.label === label) : rows);
}
