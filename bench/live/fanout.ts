/**
 * Issue 13, questions 1 and 2: one publisher, many SSE viewers of its session. For each message
 * rate, the publisher sends one event per message on an open-loop clock (each message stamped with
 * the time it was due, so a server that falls behind shows it), and the viewers, in processes of
 * their own, record when each reached them. Veritas's message is an ingest batch (POST …/events,
 * committed, then fanned out); the baseline's is a POST to a bare Node server that writes it to every
 * connection. Same bytes per message, same connections, same clocks.
 *
 *   npx tsx bench/live/fanout.ts --viewers 1000 --rates 2 --seconds 10 --runs 3
 *   npx tsx bench/live/fanout.ts --viewers 10000 --rates 2,5,10,20 --seconds 10 --runs 3 --procs 4
 *
 * Each measure follows `--warmup-seconds` (default 2) of the same messages, unmeasured, on both
 * servers; 0 times them from their first message, as the figures before 2 Dec 2026 did.
 */
import {
  BaselinePublisher,
  cpuSeconds,
  fmt,
  int,
  loadAverage,
  medianRange,
  now,
  openViewers,
  option,
  raiseOpenFiles,
  report,
  sleep,
  startBaseline,
  startVeritas,
  storage,
  table,
  until,
  Viewers,
  Writer,
  type Target,
} from './common';
import { Histogram } from './histogram';

const VIEWERS = Number(option('viewers', '1000'));
const RATES = option('rates', '2').split(',').map(Number);
const SECONDS = Number(option('seconds', '10'));
const RUNS = Number(option('runs', '3'));
const PROCS = Number(option('procs', '2'));
/** Messages sent at the rate before the measure, on both servers, so neither is timed on its first (cold) ones. */
const WARMUP_SECONDS = Number(option('warmup-seconds', '2'));
const STORAGE = option('storage', 'postgres');
const ONLY = option('only', 'both');

interface Row {
  target: string;
  rate: number;
  viewers: number;
  offered: number;
  delivered: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  lost: number;
  gaps: number;
  duplicates: number;
  dropped: number;
  serverCores: number;
  load: number;
  ackP50: number;
  ackP99: number;
}

/** Sends `count` messages on an open-loop clock of `rate` a second from `start`, each with the time it was due. */
async function paced(rate: number, count: number, send: (due: number) => Promise<unknown>, start = now()): Promise<void> {
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    await send(due);
  }
}

async function measure(
  target: Target,
  publisher: { send(n: number, pad: number, ts: number): Promise<number> },
  streamUrl: string,
  rate: number,
  procs: Viewers[],
): Promise<Row> {
  const opened = await openViewers(
    procs,
    Array.from({ length: VIEWERS }, () => streamUrl),
  );
  if (opened.failed > 0) console.warn(`${target.name}: ${opened.failed} viewers could not open (${opened.errors.join('; ')})`);
  await sleep(1000);
  const warmup = Math.round(rate * WARMUP_SECONDS);
  if (warmup > 0) {
    await paced(rate, warmup, (due) => publisher.send(1, 0, due));
    if (!(await until(async () => (await report(procs)).deliveries >= warmup * opened.ok, 30_000)))
      console.warn(`${target.name}: the warm-up was not all delivered in 30 s`);
  }
  await Promise.all(procs.map((p) => p.order({ kind: 'reset' }, 'reset')));
  const messages = Math.round(rate * SECONDS);
  const cpu0 = cpuSeconds(target.pid);
  const start = now();
  const acks = new Histogram();
  await paced(rate, messages, async (due) => acks.add(await publisher.send(1, 0, due)), start);
  const expected = messages * opened.ok;
  await until(async () => (await report(procs)).deliveries >= expected, 30_000);
  const elapsed = (now() - start) / 1000;
  const serverCores = (cpuSeconds(target.pid) - cpu0) / elapsed;
  const r = await report(procs);
  await Promise.all(procs.map((p) => p.order({ kind: 'close' }, 'closed')));
  return {
    target: target.name,
    rate,
    viewers: opened.ok,
    offered: (messages * opened.ok) / SECONDS,
    delivered: r.deliveries,
    perSecond: r.deliveries / Math.max(SECONDS, elapsed - 0),
    p50: r.latency.quantile(0.5),
    p99: r.latency.quantile(0.99),
    max: r.latency.max,
    lost: expected - r.deliveries,
    gaps: r.gaps,
    duplicates: r.duplicates,
    dropped: r.dropped,
    serverCores,
    load: loadAverage(),
    ackP50: acks.quantile(0.5),
    ackP99: acks.quantile(0.99),
  };
}

async function main() {
  raiseOpenFiles();
  const rows: Row[] = [];
  for (let run = 1; run <= RUNS; run++) {
    for (const rate of RATES) {
      // Baseline and Veritas alternate within each run, so both meet the same machine.
      if (ONLY !== 'veritas') {
        const procs = Array.from({ length: PROCS }, () => new Viewers());
        const base = await startBaseline();
        try {
          rows.push(await measure(base, new BaselinePublisher(base.url), `${base.url}/stream`, rate, procs));
        } finally {
          await base.stop();
          for (const p of procs) p.stop();
        }
      }
      if (ONLY !== 'baseline') {
        const procs = Array.from({ length: PROCS }, () => new Viewers());
        const store = await storage(STORAGE);
        const veritas = await startVeritas(`veritas (${STORAGE})`, store.env);
        try {
          const writer = await new Writer(veritas.url).create();
          rows.push(await measure(veritas, writer, `${veritas.url}/v1/sessions/${writer.id}/live`, rate, procs));
        } finally {
          await veritas.stop();
          await store.drop();
          for (const p of procs) p.stop();
        }
      }
      const last = rows.slice(ONLY === 'both' ? -2 : -1);
      console.log(`run ${run}, ${rate} msg/s:`);
      console.log(
        table(
          [
            'server',
            'viewers',
            'msg/s',
            'deliveries/s offered',
            'delivered/s',
            'p50 ms',
            'p99 ms',
            'max ms',
            'publish ack p50/p99 ms',
            'lost',
            'gaps',
            'dups',
            'dropped',
            'server cores',
            'load',
          ],
          last.map((r) => [
            r.target,
            int(r.viewers),
            r.rate,
            int(r.offered),
            int(r.perSecond),
            fmt(r.p50),
            fmt(r.p99),
            fmt(r.max),
            `${fmt(r.ackP50)}/${fmt(r.ackP99)}`,
            int(r.lost),
            r.gaps,
            r.duplicates,
            r.dropped,
            fmt(r.serverCores, 2),
            fmt(r.load),
          ]),
        ),
      );
    }
  }
  console.log(`\nSummary, median (min–max) of ${RUNS} runs, ${VIEWERS} viewers asked, ${SECONDS} s each:`);
  const groups = new Map<string, Row[]>();
  for (const r of rows) groups.set(`${r.target}|${r.rate}`, [...(groups.get(`${r.target}|${r.rate}`) ?? []), r]);
  const summary: (string | number)[][] = [];
  for (const [key, rs] of groups) {
    const [target, rate] = key.split('|');
    const base = groups.get(`bare node http|${rate}`);
    const ratio = base
      ? medianRange(
          rs.map((r, i) => r.p99 / (base[i]?.p99 ?? Number.NaN)),
          2,
        )
      : '—';
    summary.push([
      target!,
      medianRange(
        rs.map((r) => r.viewers),
        0,
      ),
      rate!,
      medianRange(
        rs.map((r) => r.offered),
        0,
      ),
      medianRange(
        rs.map((r) => r.perSecond),
        0,
      ),
      medianRange(rs.map((r) => r.p50)),
      medianRange(rs.map((r) => r.p99)),
      ratio,
      medianRange(rs.map((r) => r.ackP99)),
      medianRange(
        rs.map((r) => r.lost),
        0,
      ),
      `${Math.max(...rs.map((r) => r.gaps))}/${Math.max(...rs.map((r) => r.duplicates))}`,
      medianRange(
        rs.map((r) => r.serverCores),
        2,
      ),
      medianRange(rs.map((r) => r.load)),
    ]);
  }
  console.log(
    table(
      [
        'server',
        'viewers',
        'msg/s',
        'deliveries/s offered',
        'delivered/s',
        'p50 ms',
        'p99 ms',
        'p99 ÷ baseline',
        'publish ack p99 ms',
        'lost',
        'max gaps/dups',
        'server cores',
        'load',
      ],
      summary,
    ),
  );
}

await main();
process.exit(0);
