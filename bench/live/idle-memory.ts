/**
 * Issue 13, question 1b: memory per idle SSE connection. The server's resident memory (VmRSS) is
 * read before and after N viewers open a stream that sends nothing but heartbeats, and the
 * difference is divided by N. The baseline holds the same N connections open. RSS, not heap: it is
 * what the machine pays (sockets' buffers, parser state, the JS objects and timers of each stream).
 *
 *   npx tsx bench/live/idle-memory.ts --viewers 2000 --runs 3
 */
import {
  fmt,
  int,
  loadAverage,
  medianRange,
  openViewers,
  option,
  raiseOpenFiles,
  rssKb,
  sleep,
  startBaseline,
  startVeritas,
  storage,
  table,
  Viewers,
  Writer,
  type Target,
} from './common';

const VIEWERS = Number(option('viewers', '2000'));
const RUNS = Number(option('runs', '3'));
const PROCS = Number(option('procs', '2'));
const STORAGE = option('storage', 'postgres');

/** RSS once it has stopped moving (allocations settle, the collector runs), at most 10 s. */
async function settledRss(pid: number): Promise<number> {
  let last = rssKb(pid);
  for (let i = 0; i < 20; i++) {
    await sleep(500);
    const next = rssKb(pid);
    if (Math.abs(next - last) < 256) return next;
    last = next;
  }
  return last;
}

async function measure(target: Target, streamUrl: string): Promise<{ target: string; opened: number; before: number; after: number; perConnKb: number }> {
  const procs = Array.from({ length: PROCS }, () => new Viewers());
  try {
    // A first connection warms up the code paths, so their one-off cost is not counted per connection.
    await openViewers(procs.slice(0, 1), [streamUrl]);
    const before = await settledRss(target.pid);
    const opened = await openViewers(
      procs,
      Array.from({ length: VIEWERS }, () => streamUrl),
    );
    if (opened.failed) console.warn(`${target.name}: ${opened.failed} failed (${opened.errors.join('; ')})`);
    const after = await settledRss(target.pid);
    return { target: target.name, opened: opened.ok, before, after, perConnKb: (after - before) / opened.ok };
  } finally {
    for (const p of procs) p.stop();
  }
}

async function main() {
  raiseOpenFiles();
  const rows: Awaited<ReturnType<typeof measure>>[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const base = await startBaseline();
    try {
      rows.push(await measure(base, `${base.url}/stream`));
    } finally {
      await base.stop();
    }
    const store = await storage(STORAGE);
    const veritas = await startVeritas(`veritas (${STORAGE})`, store.env);
    try {
      const writer = await new Writer(veritas.url).create();
      rows.push(await measure(veritas, `${veritas.url}/v1/sessions/${writer.id}/live`));
    } finally {
      await veritas.stop();
      await store.drop();
    }
    console.log(`run ${run} (load ${fmt(loadAverage())}):`);
    console.log(
      table(
        ['server', 'idle connections', 'RSS before kB', 'RSS after kB', 'kB per connection'],
        rows.slice(-2).map((r) => [r.target, int(r.opened), int(r.before), int(r.after), fmt(r.perConnKb, 2)]),
      ),
    );
  }
  const base = rows.filter((r) => r.target === 'bare node http');
  const ver = rows.filter((r) => r.target !== 'bare node http');
  console.log(`\nSummary, median (min–max) of ${RUNS} runs, ${VIEWERS} idle connections:`);
  console.log(
    table(
      ['server', 'kB per idle connection', '÷ baseline'],
      [
        [
          'bare node http',
          medianRange(
            base.map((r) => r.perConnKb),
            2,
          ),
          '1.00',
        ],
        [
          ver[0]?.target ?? 'veritas',
          medianRange(
            ver.map((r) => r.perConnKb),
            2,
          ),
          medianRange(
            ver.map((r, i) => r.perConnKb / base[i]!.perConnKb),
            2,
          ),
        ],
      ],
    ),
  );
}

await main();
process.exit(0);
