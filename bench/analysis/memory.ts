/**
 * Memory a live analyser keeps (the server holds up to VERITAS_LIVE_ANALYSERS of them), after 0,
 * 300 and 3,000 events of a simulated writing session, beside the baseline of the same events
 * held as parsed objects (what the analyser summarises). Each measure runs in a fresh process with
 * --expose-gc: 1,000 analysers fed the same events, heap and array buffers read after a full
 * collection, per analyser.
 * Run: npx tsx bench/analysis/memory.ts [runs=3]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { VeritasEvent } from '@veritas/schema';
import { simulate } from '@veritas/simulator';
import { createIncrementalAnalyzer } from '@veritas/analysis';
import { median, medianRange } from '../shared/stats';

const COUNT = 1_000;
const SIZES = [0, 300, 3_000];

interface Measure {
  heap: number;
  arrays: number;
}

function eventsOf(n: number): VeritasEvent[] {
  const out: VeritasEvent[] = [];
  for (let seed = 1; out.length < n; seed++) {
    const base = out.length;
    for (const e of simulate('genuine', seed, { paragraphs: 3 }).events) out.push({ ...e, seq: base + e.seq });
  }
  return out.slice(0, n);
}

/** In the child: keep COUNT of what `side` says, report bytes per one. */
function child(side: string, n: number): Measure {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const events = eventsOf(n);
  const kept: unknown[] = [];
  gc();
  const m0 = process.memoryUsage();
  for (let i = 0; i < COUNT; i++) {
    if (side === 'events') kept.push(structuredClone(events));
    else {
      const a = createIncrementalAnalyzer();
      if (n > 0) a.push(events);
      kept.push(a);
    }
  }
  gc();
  const m1 = process.memoryUsage();
  if (kept.length !== COUNT) throw new Error('lost what was kept');
  return { heap: (m1.heapUsed - m0.heapUsed) / COUNT, arrays: (m1.arrayBuffers - m0.arrayBuffers) / COUNT };
}

function measure(side: string, n: number): Measure {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', side, String(n)], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${side} ${n}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Measure;
}

/** Bytes per analyser as KB, "median (min–max)" of the runs. */
const stat = (bytes: number[]): string => medianRange(bytes.map((b) => b / 1024));

if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(child(process.argv[3]!, Number(process.argv[4]))));
} else {
  const runs = Number(process.argv[2] ?? 3);
  console.log(`${COUNT} analysers per measure, ${runs} runs, KB per analyser, median (min–max), Node ${process.version}\n`);
  console.log('| events fed | analyser heap KB | analyser array buffers KB | analyser total KB | the events as objects KB (baseline) | analyser ÷ events |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const n of SIZES) {
    const a: Measure[] = [];
    const e: Measure[] = [];
    for (let r = 0; r < runs; r++) {
      a.push(measure('analyser', n));
      e.push(measure('events', n));
    }
    const totals = a.map((m) => m.heap + m.arrays);
    const baseline = e.map((m) => m.heap + m.arrays);
    const ratio = n === 0 ? '–' : (median(totals) / median(baseline)).toFixed(2);
    console.log(
      `| ${n.toLocaleString('en')} | ${stat(a.map((m) => m.heap))} | ${stat(a.map((m) => m.arrays))} | ${stat(totals)} | ${n === 0 ? '–' : stat(baseline)} | ${ratio} |`,
    );
  }
}
