/**
 * Detection rates on simulated sessions: per kind, the share of sessions whose worst flag is at
 * each severity, and which detectors fired. Targets: genuine composition flagged high in ≤ 2%,
 * each dishonest kind caught (a flag at medium or high) in ≥ 90%.
 * Run: npx tsx bench/analysis/detection.ts [sessionsPerKind=200]
 */
import { simulate, SIM_KINDS, DISHONEST_KINDS } from '@veritas/simulator';
import { analyzeSession, type Severity } from '@veritas/analysis';

const n = Number(process.argv[2] ?? 200);
const rank: Record<Severity, number> = { low: 1, medium: 2, high: 3 };
const pct = (k: number) => `${((k / n) * 100).toFixed(1)}%`;

console.log(`${n} sessions per kind, seeds 1..${n}, default thresholds\n`);
console.log('| kind | dishonest | no flag | worst low | worst medium | worst high | caught (≥ medium) | target | detectors that fired (sessions) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
let misnamed = 0;
for (const kind of SIM_KINDS) {
  const worst = [0, 0, 0, 0];
  const fired = new Map<string, number>();
  for (let seed = 1; seed <= n; seed++) {
    const r = analyzeSession(simulate(kind, seed).events);
    let w = 0;
    const seen = new Set<string>();
    for (const f of r.flags) {
      w = Math.max(w, rank[f.severity]);
      seen.add(f.detector);
    }
    for (const d of seen) fired.set(d, (fired.get(d) ?? 0) + 1);
    worst[w]!++;
    if ((kind === 'dictation' || kind === 'ime') && r.flags.some((f) => ['external-paste', 'paste-share', 'keyless-text', 'machine-regular', 'untrusted-input'].includes(f.detector))) misnamed++;
  }
  const dishonest = DISHONEST_KINDS.includes(kind);
  const caught = worst[2]! + worst[3]!;
  const target = kind === 'genuine' ? `high ≤ 2%: ${worst[3]! / n <= 0.02 ? 'met' : 'MISSED'}` : dishonest ? `caught ≥ 90%: ${caught / n >= 0.9 ? 'met' : 'MISSED'}` : '';
  const det = [...fired.entries()].sort((a, b) => b[1] - a[1]).map(([d, c]) => `${d} ${c}`).join(', ');
  console.log(`| ${kind} | ${dishonest ? 'yes' : 'no'} | ${pct(worst[0]!)} | ${pct(worst[1]!)} | ${pct(worst[2]!)} | ${pct(worst[3]!)} | ${pct(caught)} | ${target} | ${det || '—'} |`);
}
console.log(`\nDictation and IME sessions with a paste or automation flag: ${misnamed} of ${2 * n}.`);

// Stress rows: where the simulated behaviour moves toward the other side of a detector.
const stress: { label: string; run: (seed: number) => ReturnType<typeof simulate> }[] = [
  { label: 'genuine, fluent writer (sentence pauses 0.6–1.2 s, paragraph 1.5–3 s)', run: (s) => simulate('genuine', s, { typist: { sentencePause: 600 + (s % 7) * 100, paragraphPause: 1500 + (s % 4) * 500 } }) },
  { label: 'genuine, very fluent (sentence pauses 0.4 s)', run: (s) => simulate('genuine', s, { typist: { sentencePause: 400, paragraphPause: 800 } }) },
  { label: 'copy, looks at the source at 50% of sentence ends', run: (s) => simulate('copy', s, { copySentencePause: 0.5 }) },
  { label: 'copy, looks at the source at every sentence end', run: (s) => simulate('copy', s, { copySentencePause: 1 }) },
];
console.log('\nStress rows (same detectors, simulated behaviour pushed toward the boundary):\n');
console.log('| variant | worst medium | worst high | detectors that fired (sessions) |');
console.log('| --- | ---: | ---: | --- |');
for (const { label, run } of stress) {
  let med = 0;
  let high = 0;
  const fired = new Map<string, number>();
  for (let seed = 1; seed <= n; seed++) {
    const r = analyzeSession(run(seed).events);
    const w = Math.max(0, ...r.flags.map((f) => rank[f.severity]));
    if (w === 2) med++;
    if (w === 3) high++;
    for (const d of new Set(r.flags.map((f) => f.detector))) fired.set(d, (fired.get(d) ?? 0) + 1);
  }
  const det = [...fired.entries()].sort((a, b) => b[1] - a[1]).map(([d, c]) => `${d} ${c}`).join(', ');
  console.log(`| ${label} | ${pct(med)} | ${pct(high)} | ${det || '—'} |`);
}
