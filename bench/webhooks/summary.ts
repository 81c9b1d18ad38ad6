/**
 * The rows bench/webhooks writes (one per run and phase) and their summary: median (min–max) over the
 * runs. `npx tsx bench/webhooks/summary.ts runs.jsonl [more.jsonl …]` prints it again from saved rows.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PhaseRow {
  label: string;
  /** When the invocation started: runs of one invocation share it (pairs none/webhooks by it and the run). */
  invocation: string;
  at: string;
  run: number;
  phase: 'none' | 'webhooks';
  seconds: number;
  rate: number;
  clients: number;
  tenants: number;
  nice: number;
  /** 1-minute load average when the phase started. */
  loadavg: number;
  ingestEvPerS: number;
  ingestErrors: number;
  ingestP99: number;
  /** Grades answered 200 within the phase, per second: attempt.graded events made. */
  gradesPerS: number;
  grades: { sent: number; ok: number; failed: number; skipped: number; statuses: Record<string, number>; p50: number; p99: number };
  /** Messages stored during the phase (webhook_deliveries rows), and how many distinct webhook-ids arrived. */
  made: number;
  delivered: number;
  duplicates: number;
  lost: number;
  verified: number;
  refused: number;
  /** Arrivals within the phase's window, per second. */
  deliveriesPerS: number;
  /** Distinct messages over the time from the phase's start to the last arrival. */
  deliveriesPerSOverall: number;
  /** From the phase's end to the last arrival. */
  drainS: number;
  /** Arrival at the receiver − the message's `timestamp` (stored), ms. */
  delayP50: number;
  delayP99: number;
  commitsPerS: number;
  walSyncsPerS: number;
  /** Cores used during the phase. */
  cpu: Record<'server' | 'postgres' | 'postgresBackground' | 'ingestLoad' | 'grader' | 'receiver' | 'rest' | 'idle', number>;
  statements: { query: string; calls: number; totalMs: number; meanMs: number }[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const num = (n: number, d: number) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
/** "median (min–max)" of the finite values. */
export function fmtRange(xs: number[], d = 0): string {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return '–';
  return `${num(median(v), d)} (${num(Math.min(...v), d)}–${num(Math.max(...v), d)})`;
}

export function printSummary(rows: PhaseRow[]): void {
  const none = rows.filter((r) => r.phase === 'none');
  const hooks = rows.filter((r) => r.phase === 'webhooks');
  const pairs = hooks.map((h) => ({ h, n: none.find((n) => n.run === h.run && n.invocation === h.invocation) })).filter((p) => p.n);
  const line = (m: string, v: string) => console.log(`| ${m} | ${v} |`);
  console.log(`\n${hooks.length} run(s); median (min–max)\n\n| measure | median (min–max) |\n| --- | ---: |`);
  line('grade events made /s (offered ' + num(rows[0]?.rate ?? 0, 0) + '/s), none', fmtRange(none.map((r) => r.gradesPerS)));
  line('grade events made /s, webhooks', fmtRange(hooks.map((r) => r.gradesPerS)));
  line('messages made → delivered (lost, duplicated), per run', hooks.map((r) => `${r.made} → ${r.delivered} (${r.lost}, ${r.duplicates})`).join('; '));
  line('deliveries/s during the phase', fmtRange(hooks.map((r) => r.deliveriesPerS)));
  line('deliveries/s, phase start to last arrival', fmtRange(hooks.map((r) => r.deliveriesPerSOverall)));
  line(
    'last arrival after the phase ended, s',
    fmtRange(
      hooks.map((r) => r.drainS),
      1,
    ),
  );
  line('event → delivery p50 ms', fmtRange(hooks.map((r) => r.delayP50)));
  line('event → delivery p99 ms', fmtRange(hooks.map((r) => r.delayP99)));
  line('ingest ev/s, none', fmtRange(none.map((r) => r.ingestEvPerS)));
  line('ingest ev/s, webhooks', fmtRange(hooks.map((r) => r.ingestEvPerS)));
  line(
    'ingest webhooks ÷ none (same run)',
    fmtRange(
      pairs.map((p) => (100 * p.h.ingestEvPerS) / p.n!.ingestEvPerS),
      1,
    ) + ' %',
  );
  line(
    'grade answer p50 / p99 ms, none',
    `${fmtRange(
      none.map((r) => r.grades.p50),
      1,
    )} / ${fmtRange(none.map((r) => r.grades.p99))}`,
  );
  line(
    'grade answer p50 / p99 ms, webhooks',
    `${fmtRange(
      hooks.map((r) => r.grades.p50),
      1,
    )} / ${fmtRange(hooks.map((r) => r.grades.p99))}`,
  );
  line(
    'errors: ingest / grades failed / grades not sent (in-flight bound), none',
    rows
      .filter((r) => r.phase === 'none')
      .map((r) => `${r.ingestErrors}/${r.grades.failed}/${r.grades.skipped}`)
      .join('; '),
  );
  line('errors: same, webhooks', hooks.map((r) => `${r.ingestErrors}/${r.grades.failed}/${r.grades.skipped}`).join('; '));
  line('signatures verified / refused (sample)', hooks.map((r) => `${r.verified}/${r.refused}`).join('; '));
  line('commits/s, none / webhooks', `${fmtRange(none.map((r) => r.commitsPerS))} / ${fmtRange(hooks.map((r) => r.commitsPerS))}`);
  line('WAL flushes/s, none / webhooks', `${fmtRange(none.map((r) => r.walSyncsPerS))} / ${fmtRange(hooks.map((r) => r.walSyncsPerS))}`);
  line(
    'load average (1 min) at phase start',
    fmtRange(
      rows.map((r) => r.loadavg),
      1,
    ),
  );
  console.log('\nCores used during the phases, median (min–max):\n');
  const keys = ['server', 'postgres', 'postgresBackground', 'ingestLoad', 'grader', 'receiver', 'rest', 'idle'] as const;
  console.log(`| phase | ${keys.join(' | ')} |\n| --- |${keys.map(() => ' ---: |').join('')}`);
  for (const [name, set] of [
    ['none', none],
    ['webhooks', hooks],
  ] as const)
    console.log(
      `| ${name} | ${keys
        .map((k) =>
          fmtRange(
            set.map((r) => r.cpu[k]),
            2,
          ),
        )
        .join(' | ')} |`,
    );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = process.argv
    .slice(2)
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as PhaseRow);
  printSummary(rows);
}
