// Recorder cost per keystroke in Chromium, bytes per keystroke and SDK size, beside two baselines
// measured in the same run: the same page with no recorder, and the same page recorded by rrweb
// (its `record()` with defaults). Run: nice -n -15 npx tsx bench/recorder/run.ts [keystrokes] [runs]
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Browser, Request } from 'playwright-core';
import { BATCH_MEDIA_TYPE, decodeBatchBody, loadConfig, startServer } from '@veritas/server';
import { sdkOptions } from '../../packages/recorder/build-options.mjs';
import { launchChromium } from '../../scripts/test-support/chromium';
import { bundleRecorder, serveDir, writePage } from '../../packages/recorder/src/testing/harness';

const N = Number(process.argv[2] ?? 2000);
const RUNS = Number(process.argv[3] ?? 3);
const WARMUP = 200;
const recorderSrc = fileURLToPath(new URL('../../packages/recorder/src/', import.meta.url));

/** Per keystroke: the main-thread time of all its event dispatches (keydown … keyup), from the first listener to the last. */
const PROBE = `
window.__name = (f) => f; // tsx names the functions it passes to page.evaluate with this helper
window.costs = []; let cur = 0, t0 = 0;
for (const type of ['keydown', 'keypress', 'beforeinput', 'input', 'keyup']) {
  window.addEventListener(type, () => { t0 = performance.now(); }, true);
}
window.armEnd = () => {
  for (const type of ['keydown', 'keypress', 'beforeinput', 'input', 'keyup']) {
    window.addEventListener(type, () => { cur += performance.now() - t0; if (type === 'keyup') { window.costs.push(cur); cur = 0; } });
  }
};`;

type Side = 'none' | 'veritas' | 'rrweb';
const SIDES: Side[] = ['none', 'veritas', 'rrweb'];

interface SideRun {
  median: number;
  p99: number;
  mean: number;
  /** Bytes per keystroke (all keystrokes typed, warm-up included): the event model as JSON, the body before compression, as sent. */
  modelB?: number;
  rawB?: number;
  wireB?: number;
  isolated: boolean;
}

function quantiles(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p99: q(0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

/** Median and range of the runs. */
function mr(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]!, max: s.at(-1)! };
}

async function bundleRrweb(dir: string): Promise<void> {
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
}

async function oneSide(browser: Browser, siteUrl: string, api: string, side: Side): Promise<SideRun> {
  const page = await browser.newPage();
  // What the recorder sends: each batch body as it goes over the wire.
  const bodies: { body: Buffer; encoding: string | undefined; type: string | undefined }[] = [];
  page.on('request', (r: Request) => {
    if (r.method() === 'POST' && /\/v1\/sessions\/[^/]+\/events$/.test(new URL(r.url()).pathname)) {
      const h = r.headers();
      bodies.push({ body: r.postDataBuffer() ?? Buffer.alloc(0), encoding: h['content-encoding'], type: h['content-type'] });
    }
  });
  await page.goto(`${siteUrl}/bench.html`);
  await page.waitForFunction(() => (window as unknown as { veritasLoaded?: boolean }).veritasLoaded);
  const isolated = await page.evaluate(
    async ({ side, api }) => {
      const w = window as unknown as {
        V: typeof import('../../packages/recorder/src/index');
        armEnd(): void;
        rec?: import('../../packages/recorder/src/index').Recorder;
        rr?: unknown[];
      };
      if (side === 'veritas') {
        w.rec = w.V.attach(document.getElementById('ed')!, { server: api, consent: { policy: 'bench' } });
        await w.rec.ready;
      } else if (side === 'rrweb') {
        const { record } = (await import('/rrweb.js' as string)) as typeof import('rrweb');
        w.rr = [];
        record({ emit: (e) => void w.rr!.push(e) });
      }
      w.armEnd();
      return crossOriginIsolated;
    },
    { side, api },
  );
  await page.locator('#ed').click();
  const text = 'The quick brown fox jumps over the lazy dog, again and again. ';
  const chars = Array.from({ length: N + WARMUP }, (_, i) => text[i % text.length]!).join('');
  await page.keyboard.type(chars);
  const costs = (await page.evaluate(() => (window as unknown as { costs: number[] }).costs)).slice(WARMUP);
  const out: SideRun = { ...quantiles(costs), isolated };
  const typed = N + WARMUP;
  if (side === 'veritas') {
    await page.evaluate(() => (window as unknown as { rec: import('../../packages/recorder/src/index').Recorder }).rec.flush());
    let model = 0;
    let raw = 0;
    let wire = 0;
    for (const b of bodies) {
      wire += b.body.length;
      const plain = b.encoding === 'gzip' ? gunzipSync(b.body) : b.body;
      raw += plain.length;
      const text = plain.toString('utf8');
      const batch = b.type?.startsWith(BATCH_MEDIA_TYPE) ? await decodeBatchBody(text) : JSON.parse(text);
      model += Buffer.byteLength(JSON.stringify(batch));
    }
    Object.assign(out, { modelB: model / typed, rawB: raw / typed, wireB: wire / typed });
  } else if (side === 'rrweb') {
    const json = Buffer.from(await page.evaluate(() => JSON.stringify((window as unknown as { rr: unknown[] }).rr)));
    // rrweb has no transport of its own: its whole event stream gzipped in one piece (its best case).
    Object.assign(out, { modelB: json.length / typed, rawB: json.length / typed, wireB: gzipSync(json).length / typed });
  }
  await page.close();
  return out;
}

async function sdkSize() {
  const host = `const ed = document.querySelector('textarea'); ed.addEventListener('input', () => {});`;
  const size = async (contents: string) => {
    // The published SDK's own esbuild options (packages/recorder/build-options.mjs).
    const out = await build({ ...sdkOptions, stdin: { contents, resolveDir: recorderSrc, loader: 'ts' }, write: false });
    const code = out.outputFiles![0]!.contents;
    return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
  };
  return { base: await size(host), rec: await size(`${host} import { attach } from './index'; attach(ed, {});`) };
}

async function main() {
  const started = new Date();
  const load0 = loadavg()[0]!;
  const dir = await bundleRecorder();
  await bundleRrweb(dir);
  writePage(dir, 'bench.html', `<textarea id="ed" rows="10" cols="80"></textarea><script>${PROBE}</script>`);
  // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
  const site = await serveDir(dir, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
  // Veritas on another origin, as on a partner's page: the recorder creates a public session there.
  const veritas = await startServer(
    loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-bench-rec-')), logLevel: 'silent', corsOrigins: [site.url] }),
  );
  const browser = await launchChromium();
  const runs: Record<Side, SideRun[]> = { none: [], veritas: [], rrweb: [] };
  for (let r = 0; r < RUNS; r++) {
    // Interleaved, each run in a rotated order, so drift falls on every side alike.
    for (let i = 0; i < SIDES.length; i++) {
      const side = SIDES[(i + r) % SIDES.length]!;
      runs[side].push(await oneSide(browser, site.url, veritas.url, side));
    }
  }
  await browser.close();
  await veritas.close();
  await site.close();
  const load1 = loadavg()[0]!;
  const size = await sdkSize();

  const f = (x: number, d = 4) => x.toFixed(d);
  const fmt = (xs: number[], d = 4) => {
    const m = mr(xs);
    return `${f(m.median, d)} (${f(m.min, d)}–${f(m.max, d)})`;
  };
  const added = (side: Side, k: 'median' | 'p99' | 'mean') => runs[side].map((x, i) => x[k] - runs.none[i]![k]);
  const isolated = Object.values(runs).every((rs) => rs.every((x) => x.isolated));
  console.log(
    `recorder bench: ${N} keystrokes (+${WARMUP} warm-up) per side per run, ${RUNS} runs interleaved, Chromium headless, crossOriginIsolated=${isolated}`,
  );
  console.log(`started ${started.toISOString()}, load average (1 min) ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
  console.log('');
  console.log('| per keystroke, median of runs (min–max) | no recorder | Veritas | rrweb 2.2.2 | Veritas ÷ rrweb (added) | target |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const k of ['median', 'p99', 'mean'] as const) {
    const ratio = mr(runs.veritas.map((x, i) => (x[k] - runs.none[i]![k]) / (runs.rrweb[i]![k] - runs.none[i]![k])));
    console.log(`| ${k} time (ms) | ${fmt(runs.none.map((x) => x[k]))} | ${fmt(runs.veritas.map((x) => x[k]))} | ${fmt(runs.rrweb.map((x) => x[k]))} | | |`);
    console.log(
      `| added to ${k} (ms) | – | ${fmt(added('veritas', k))} | ${fmt(added('rrweb', k))} | ${fmt([ratio.median, ratio.min, ratio.max], 2)} | ${k === 'median' ? 'Veritas ≤ 0.5 × rrweb' : ''} |`,
    );
  }
  const bytes = (k: 'modelB' | 'rawB' | 'wireB') => [runs.veritas.map((x) => x[k]!), runs.rrweb.map((x) => x[k]!)] as const;
  const row = (label: string, k: 'modelB' | 'rawB' | 'wireB', target: string) => {
    const [v, r] = bytes(k);
    const ratio = v.map((x, i) => x / r[i]!);
    console.log(`| ${label} | – | ${fmt(v, 1)} | ${fmt(r, 1)} | ${fmt(ratio, 2)} | ${target} |`);
  };
  row('bytes: events as JSON (event model)', 'modelB', '');
  row('bytes: body before compression (raw)', 'rawB', 'Veritas < rrweb');
  row('bytes: as sent (compressed)', 'wireB', 'Veritas < rrweb');
  console.log('');
  console.log('| page script | host only | host + Veritas | Veritas SDK | target |');
  console.log('| --- | ---: | ---: | ---: | --- |');
  console.log(`| minified + gzip -9 (B) | ${size.base.gz} | ${size.rec.gz} | ${size.rec.gz - size.base.gz} | SDK < 12,000 |`);
  console.log(`| minified (B) | ${size.base.min} | ${size.rec.min} | ${size.rec.min - size.base.min} | |`);
}

await main();
