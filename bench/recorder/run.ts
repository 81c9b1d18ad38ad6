// Recorder cost per keystroke in Chromium and SDK size, each beside a baseline from the same run
// (the same editor with no recorder attached). Run: npx tsx bench/recorder/run.ts [keystrokes]
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../../scripts/test-support/chromium';
import { bundleRecorder, serveDir, writePage } from '../../packages/recorder/src/testing/harness';

const N = Number(process.argv[2] ?? 2000);
const WARMUP = 200;
const recorderSrc = fileURLToPath(new URL('../../packages/recorder/src/', import.meta.url));

/** Per keystroke: the main-thread time of all its event dispatches (keydown … keyup), from the first listener to the last. */
const PROBE = `
window.costs = []; let cur = 0, t0 = 0;
for (const type of ['keydown', 'keypress', 'beforeinput', 'input', 'keyup']) {
  window.addEventListener(type, () => { t0 = performance.now(); }, true);
}
window.armEnd = () => {
  for (const type of ['keydown', 'keypress', 'beforeinput', 'input', 'keyup']) {
    window.addEventListener(type, () => { cur += performance.now() - t0; if (type === 'keyup') { window.costs.push(cur); cur = 0; } });
  }
};`;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p99: q(0.99), mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

async function main() {
  const dir = await bundleRecorder();
  writePage(dir, 'bench.html', `<textarea id="ed" rows="10" cols="80"></textarea><script>${PROBE}</script>`);
  // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
  const site = await serveDir(dir, { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
  const browser = await launchChromium();
  const text = 'The quick brown fox jumps over the lazy dog, again and again. ';
  const run = async (withRecorder: boolean) => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/bench.html`);
    await page.waitForFunction(() => (window as unknown as { veritasLoaded?: boolean }).veritasLoaded);
    const isolated = await page.evaluate(async (withRecorder) => {
      const w = window as unknown as { V: typeof import('../../packages/recorder/src/index'); armEnd(): void };
      if (withRecorder) {
        const rec = w.V.attach(document.getElementById('ed')!, { consent: { policy: 'bench' } });
        await rec.ready;
      }
      w.armEnd();
      return crossOriginIsolated;
    }, withRecorder);
    await page.locator('#ed').click();
    const chars = Array.from({ length: N + WARMUP }, (_, i) => text[i % text.length]!).join('');
    await page.keyboard.type(chars);
    const costs = (await page.evaluate(() => (window as unknown as { costs: number[] }).costs)).slice(WARMUP);
    await page.close();
    return { costs, isolated };
  };
  // Interleave to share any drift between the two.
  const base1 = await run(false);
  const rec1 = await run(true);
  const base2 = await run(false);
  const rec2 = await run(true);
  await browser.close();
  await site.close();

  const base = stats([...base1.costs, ...base2.costs]);
  const rec = stats([...rec1.costs, ...rec2.costs]);
  const added = { median: rec.median - base.median, p99: rec.p99 - base.p99 };

  const host = `const ed = document.querySelector('textarea'); ed.addEventListener('input', () => {});`;
  const size = async (contents: string) => {
    const out = await build({
      stdin: { contents, resolveDir: recorderSrc, loader: 'ts' },
      bundle: true,
      minify: true,
      format: 'esm',
      write: false,
      legalComments: 'none',
    });
    const code = out.outputFiles[0]!.contents;
    return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
  };
  const sBase = await size(host);
  const sRec = await size(`${host} import { attach } from './index'; attach(ed, {});`);

  const f = (x: number) => x.toFixed(4);
  console.log(`recorder bench: ${N} keystrokes x2 per side, Chromium headless, crossOriginIsolated=${base1.isolated && rec1.isolated}`);
  console.log('| measure | baseline (no recorder) | with recorder | added by recorder | ratio | target |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| per keystroke, median (ms) | ${f(base.median)} | ${f(rec.median)} | ${f(added.median)} | ${(rec.median / base.median).toFixed(2)}x | added < 0.05 |`,
  );
  console.log(`| per keystroke, p99 (ms) | ${f(base.p99)} | ${f(rec.p99)} | ${f(added.p99)} | ${(rec.p99 / base.p99).toFixed(2)}x | |`);
  console.log(`| per keystroke, mean (ms) | ${f(base.mean)} | ${f(rec.mean)} | ${f(rec.mean - base.mean)} | ${(rec.mean / base.mean).toFixed(2)}x | |`);
  console.log(`| page script, min+gzip (B) | ${sBase.gz} | ${sRec.gz} | ${sRec.gz - sBase.gz} | ${(sRec.gz / sBase.gz).toFixed(1)}x | SDK < 12288 |`);
  console.log(`| page script, minified (B) | ${sBase.min} | ${sRec.min} | ${sRec.min - sBase.min} | ${(sRec.min / sBase.min).toFixed(1)}x | |`);
}

await main();
