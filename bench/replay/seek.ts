/**
 * Replay benchmark: a 200,000-op writing session. Index build, seek (p50/p99), memory, compact
 * form and 64× playback frames, each beside naive replay from the start, in the same run.
 *
 *   npx tsx bench/replay/seek.ts [ops=200000] [K=1024]
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildReplayIndex, decodeReplay, encodeReplay, replayNaive, type ReplayIndex } from '@veritas/replay';
import type { VeritasEvent } from '@veritas/schema';
import { rng, writingSession } from './session';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const OPS = Number(process.argv[2] ?? 200_000);
const K = Number(process.argv[3] ?? 1024);

function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}
function time<T>(f: () => T): [T, number] {
  const a = performance.now();
  const v = f();
  return [v, performance.now() - a];
}
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const ms = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
const mb = (x: number) => (x / 1024 / 1024).toFixed(1);

const h0 = heap();
const events: VeritasEvent[] = writingSession(OPS);
const hEvents = heap();
const eventsBytes = hEvents - h0;
const lastSeq = events[events.length - 1]!.seq;
const random = rng(7);

// The index: build (best of 3); its memory is what it adds beside the events (which it does not keep).
const builds: number[] = [];
let index: ReplayIndex | null = null;
for (let i = 0; i < 3; i++) {
  index = null;
  heap();
  const [ix, dt] = time(() => buildReplayIndex(events, { keyframeEvery: K }));
  builds.push(dt);
  index = ix;
}
const indexBytes = heap() - hEvents;
const finalIndex = index!.finalText();

// Naive replay from the start: the whole session once, then a few random seeks.
const [finalNaive, naiveFull] = time(() => replayNaive(events, lastSeq));
if (finalIndex !== finalNaive) throw new Error('index final text differs from naive replay');
const naiveSeeks: number[] = [];
for (let i = 0; i < 15; i++) {
  const seq = Math.floor(random() * lastSeq);
  naiveSeeks.push(time(() => replayNaive(events, seq))[1]);
}
const check = events.filter((e) => e.type === 'text.op').length;
const eventsCount = events.length;

// Seeks at random seqs: text + origins + caret (stateAt), and text alone.
const seekState: number[] = [];
const seekText: number[] = [];
for (let i = 0; i < 2000; i++) {
  const seq = Math.floor(random() * lastSeq);
  seekState.push(time(() => index!.stateAt(seq))[1]);
  seekText.push(time(() => index!.textAt(seq))[1]);
}

// 64× playback at 60 fps: each frame moves a cursor forward 64 × 16.7 ms and reads text + origins.
const cursor = index!.cursor();
const frames: number[] = [];
const step = (1000 / 60) * 64;
for (let t = index!.t0; t <= index!.t1 && frames.length < 20_000; t += step) {
  frames.push(
    time(() => {
      cursor.moveTo(index!.seqAtTime(t));
      cursor.text();
      cursor.origins();
    })[1],
  );
}

// Compact form.
const [compact, encodeMs] = time(() => encodeReplay(index!));
const [decoded, decodeMs] = time(() => decodeReplay(compact));
if (decoded.finalText() !== finalNaive) throw new Error('decoded final text differs');
const kfChars = index!.keyframes.reduce((s, k) => s + k.text.length, 0);

const rows: [string, string, string, string][] = [
  ['measure', 'index', 'naive', 'naive / index'],
  ['build / full replay (ms)', ms(Math.min(...builds)), ms(naiveFull), (naiveFull / Math.min(...builds)).toFixed(1) + '×'],
  ['seek p50 (ms)', ms(pct(seekState, 50)), ms(pct(naiveSeeks, 50)), (pct(naiveSeeks, 50) / pct(seekState, 50)).toFixed(0) + '×'],
  ['seek p99 (ms)', ms(pct(seekState, 99)), ms(pct(naiveSeeks, 99)), (pct(naiveSeeks, 99) / pct(seekState, 99)).toFixed(0) + '×'],
  ['seek p99, text only (ms)', ms(pct(seekText, 99)), '', ''],
  ['memory (MB)', mb(indexBytes), mb(eventsBytes), (eventsBytes / indexBytes).toFixed(2) + '×'],
  ['64× frame p99 (ms)', ms(pct(frames, 99)), '', ''],
];
const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(
  `replay bench: ${OPS} ops, ${eventsCount} events, final text ${finalNaive.length} chars, K=${K}, ${index!.keyframes.length} keyframes (${(kfChars / 1e6).toFixed(1)} M chars), ${check} text.op events`,
);
for (const r of rows) console.log(r.map((x, c) => (c === 0 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join('  '));
console.log(`seeks: ${seekState.length} index (max ${ms(Math.max(...seekState))} ms), ${naiveSeeks.length} naive; build runs ${builds.map(ms).join(', ')} ms`);
console.log(`64× playback: ${frames.length} frames, p50 ${ms(pct(frames, 50))} ms, max ${ms(Math.max(...frames))} ms (budget 16.7 ms per frame)`);
console.log(
  `compact form: ${mb(compact.length)} MB (${(compact.length / OPS).toFixed(1)} B/op), encode ${ms(encodeMs)} ms, decode + keyframes ${ms(decodeMs)} ms`,
);
console.log(`memory: index = data + keyframes (heap + typed arrays), measured beside the events; naive = the events array it replays from`);
