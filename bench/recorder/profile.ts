// Where the recorder's time per keystroke goes, in Chromium, with the probe of run.ts: the median time
// of each event type's dispatch (keydown, keypress, beforeinput, input, keyup) per side, interleaved, and
// (with --cpu) a CDP CPU profile of the recorder's side, its self time per function per keystroke.
// Run: nice -n -15 npx tsx bench/recorder/profile.ts [keystrokes] [runs] [--cpu]
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { loadConfig, startServer } from '@veritas/server';
import { launchChromium } from '../../scripts/test-support/chromium';
import { bundleRecorder, serveDir, writePage } from '../../packages/recorder/src/testing/harness';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(args[0] ?? 1000);
const RUNS = Number(args[1] ?? 3);
const CPU = process.argv.includes('--cpu');
/** Chromium's trace: each event dispatch's thread time (CPU time of the main thread, not the wall clock a busy machine stretches). */
const TRACE = process.argv.includes('--trace');
const WARMUP = 200;
const recorderSrc = fileURLToPath(new URL('../../packages/recorder/src/', import.meta.url));
const TYPES = ['keydown', 'keypress', 'beforeinput', 'input', 'keyup'] as const;

/** Per keystroke and per event type: the time from the first window capture listener to the last bubble listener. */
const PROBE = `
window.__name = (f) => f;
window.per = {}; let t0 = 0;
for (const type of ${JSON.stringify(TYPES)}) {
  window.per[type] = [];
  window.addEventListener(type, () => { t0 = performance.now(); }, true);
}
window.armEnd = () => {
  for (const type of ${JSON.stringify(TYPES)}) window.addEventListener(type, () => { window.per[type].push(performance.now() - t0); });
};`;

type Side = string;
const SIDES = (process.env.SIDES ?? 'none,veritas,rrweb,empty').split(',') as Side[];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

async function oneSide(browser: Browser, siteUrl: string, api: string, side: Side) {
  const page = await browser.newPage();
  await page.goto(`${siteUrl}/bench.html`);
  await page.waitForFunction(() => (window as unknown as { veritasLoaded?: boolean }).veritasLoaded);
  await page.evaluate(
    async ({ side, api }) => {
      const w = window as unknown as {
        V: typeof import('../../packages/recorder/src/index');
        armEnd(): void;
        rec?: import('../../packages/recorder/src/index').Recorder;
      };
      const ed = document.getElementById('ed')!;
      if (side.startsWith('veritas')) {
        (window as unknown as { __skip: string }).__skip = side.slice(7);
        w.rec = w.V.attach(ed, { server: api, consent: { policy: 'bench' } });
        await w.rec.ready;
      } else if (side === 'rrweb') {
        const { record } = (await import('/rrweb.js' as string)) as typeof import('rrweb');
        const rr: unknown[] = [];
        record({ emit: (e) => void rr.push(e) });
      } else if (side === 'empty') {
        // The floor: listeners where the recorder has them, doing nothing.
        const nop = () => {};
        ed.addEventListener('keydown', nop);
        ed.addEventListener('beforeinput', nop);
        ed.addEventListener('input', nop);
        window.addEventListener('keyup', nop, true);
      } else if (side === 'empty3') {
        // The floor of three listeners (no beforeinput).
        const nop = () => {};
        ed.addEventListener('keydown', nop);
        ed.addEventListener('input', nop);
        window.addEventListener('keyup', nop, true);
      } else if (side === 'reads') {
        // What no capture of text changes can avoid: four listeners, each event kept, the text read once
        // before and once after the input, the selection read once before and once after.
        const q: unknown[] = [];
        let seen = (ed as HTMLTextAreaElement).value;
        const sel = () => ({ start: (ed as HTMLTextAreaElement).selectionStart, end: (ed as HTMLTextAreaElement).selectionEnd });
        ed.addEventListener('keydown', (e) => void q.push(e));
        ed.addEventListener('beforeinput', (e) => {
          if ((ed as HTMLTextAreaElement).value !== seen) q.push(seen);
          q.push(e, sel());
        });
        ed.addEventListener('input', (e) => {
          const v = (ed as HTMLTextAreaElement).value;
          if (v !== seen) q.push(e, (seen = v), sel());
        });
        window.addEventListener('keyup', (e) => void q.push(e), true);
        setInterval(() => (q.length = 0), 100);
      }
      w.armEnd();
    },
    { side, api },
  );
  await page.locator('#ed').click();
  const text = 'The quick brown fox jumps over the lazy dog, again and again. ';
  const chars = (n: number, from = 0) => Array.from({ length: n }, (_, i) => text[(from + i) % text.length]!).join('');
  await page.keyboard.type(chars(WARMUP));
  const cdp = CPU && side === 'veritas' ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 25 });
    await cdp.send('Profiler.start');
  }
  if (TRACE) await browser.startTracing(page, { categories: ['devtools.timeline'] });
  await page.keyboard.type(chars(N, WARMUP));
  const thread: Record<string, number[]> = {};
  if (TRACE) {
    const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as {
      traceEvents: { name: string; ph: string; dur?: number; tdur?: number; args?: { data?: { type?: string } } }[];
    };
    for (const ev of trace.traceEvents) {
      if (ev.name !== 'EventDispatch' || ev.ph !== 'X' || ev.tdur === undefined) continue;
      const type = ev.args?.data?.type ?? '?';
      (thread[type] ??= []).push(ev.tdur);
    }
  }
  let self: Map<string, number> | null = null;
  if (cdp) {
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
      profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    };
    self = new Map();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (let i = 0; i < profile.samples.length; i++) {
      const n = byId.get(profile.samples[i]!)!;
      const f = n.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
    }
  }
  const per = await page.evaluate(() => (window as unknown as { per: Record<string, number[]> }).per);
  await page.close();
  const out: Record<string, number[]> = {};
  for (const t of TYPES) out[t] = per[t]!.slice(WARMUP);
  return { per: out, self, thread };
}

const site = await (async () => {
  const dir = await bundleRecorder();
  await build({
    stdin: { contents: "export { record } from 'rrweb';", resolveDir: recorderSrc, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'rrweb.js'),
    logLevel: 'silent',
  });
  writePage(dir, 'bench.html', `<textarea id="ed" rows="10" cols="80"></textarea><script>${PROBE}</script>`);
  return serveDir(dir, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
})();
const veritas = await startServer(
  loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-bench-prof-')), logLevel: 'silent', corsOrigins: [site.url] }),
);
const browser = await launchChromium();
const rows = Object.fromEntries(SIDES.map((s) => [s, [] as Record<string, number[]>[]])) as Record<Side, Record<string, number[]>[]>;
const selfTotal = new Map<string, number>();
const threadRows = Object.fromEntries(SIDES.map((s) => [s, [] as Record<string, number[]>[]])) as Record<Side, Record<string, number[]>[]>;
for (let r = 0; r < RUNS; r++) {
  for (let i = 0; i < SIDES.length; i++) {
    const side = SIDES[(i + r) % SIDES.length]!;
    const { per, self, thread } = await oneSide(browser, site.url, veritas.url, side);
    threadRows[side]!.push(thread);
    rows[side]!.push(per);
    for (const [k, v] of self ?? []) selfTotal.set(k, (selfTotal.get(k) ?? 0) + v);
  }
}
await browser.close();
await veritas.close();
await site.close();
console.log(`per event type, µs per keystroke: median of run medians (run means in brackets); ${N} keystrokes × ${RUNS} runs`);
console.log(`| event | ${SIDES.join(' | ')} |`);
console.log(`| --- |${SIDES.map(() => ' ---: |').join('')}`);
const all = Object.fromEntries(
  SIDES.map((s) => [s, rows[s]!.map((_, r) => rows[s]![r]![TYPES[0]]!.map((_, k) => TYPES.reduce((sum, t) => sum + (rows[s]![r]![t]![k] ?? 0), 0)))]),
);
for (const t of [...TYPES, 'all'] as const) {
  const pick = (s: Side) => (t === 'all' ? all[s]! : rows[s]!.map((x) => x[t]!));
  const m = (s: Side) => median(pick(s).map((x) => median(x))) * 1000;
  const a = (s: Side) => median(pick(s).map((x) => mean(x))) * 1000;
  console.log(`| ${t} |${SIDES.map((s) => ` ${m(s).toFixed(1)} [${a(s).toFixed(1)}] |`).join('')}`);
}
if (TRACE) {
  console.log(`\nthread time per event dispatch (µs, trace), median of run means [median of run medians]:`);
  const types = [...new Set(SIDES.flatMap((s) => threadRows[s]!.flatMap((r) => Object.keys(r))))].filter(
    (t) => (threadRows[SIDES[0]!]![0]![t]?.length ?? 0) > 100,
  );
  console.log(`| event | count/run | ${SIDES.join(' | ')} |`);
  for (const t of types) {
    const v = (s: Side) =>
      `${median(threadRows[s]!.map((r) => mean(r[t] ?? [0]))).toFixed(1)} [${median(threadRows[s]!.map((r) => median(r[t] ?? [0]))).toFixed(1)}]`;
    console.log(`| ${t} | ${threadRows[SIDES[0]!]![0]![t]!.length} |${SIDES.map((s) => ` ${v(s)} |`).join('')}`);
  }
}
if (CPU) {
  console.log(`\nCPU profile of the Veritas side, self time per keystroke (µs), top 30:`);
  const top = [...selfTotal].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [k, v] of top) console.log(`${(v / (N * RUNS)).toFixed(2).padStart(8)}  ${k}`);
}
