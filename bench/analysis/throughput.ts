/**
 * Events analysed per second on one core: the whole analysis and the incremental analyser (fed in
 * batches of 200, result at the end), beside a baseline that merely iterates the same events.
 * Run: npx tsx bench/analysis/throughput.ts [targetEvents=1000000]
 */
import type { VeritasEvent } from '@veritas/schema';
import { simulate, type SimKind } from '@veritas/simulator';
import { analyzeSession, createIncrementalAnalyzer } from '@veritas/analysis';

const target = Number(process.argv[2] ?? 1_000_000);
const kinds: SimKind[] = ['genuine', 'copy', 'paste', 'autotyper', 'mixed', 'dictation', 'ime'];
const sessions: VeritasEvent[][] = [];
let total = 0;
for (let seed = 1; total < target; seed++) {
  const s = simulate(kinds[seed % kinds.length]!, seed).events;
  sessions.push(s);
  total += s.length;
}

let sink = 0;
function baseline(): void {
  for (const s of sessions) for (let i = 0; i < s.length; i++) sink += s[i]!.t + s[i]!.type.length;
}
function whole(): void {
  for (const s of sessions) sink += analyzeSession(s).flags.length;
}
function incremental(): void {
  for (const s of sessions) {
    const a = createIncrementalAnalyzer();
    for (let i = 0; i < s.length; i += 200) sink += a.push(s.slice(i, i + 200)).length;
    sink += a.result().flags.length;
  }
}

function measure(fn: () => void, runs = 5): number {
  fn(); // warm up
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const rows = [
  ['baseline (iterate only)', measure(baseline)],
  ['whole analysis (analyzeSession)', measure(whole)],
  ['incremental (push 200, result)', measure(incremental)],
] as const;
const base = rows[0][1];
console.log(`${sessions.length} writing sessions, ${total.toLocaleString('en')} events, median of 5 runs, Node ${process.version}\n`);
console.log('| run | ms | events/s | × baseline time |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name, ms] of rows)
  console.log(`| ${name} | ${ms.toFixed(1)} | ${Math.round((total / ms) * 1000).toLocaleString('en')} | ${(ms / base).toFixed(1)} |`);
if (sink === 42) console.log('');
