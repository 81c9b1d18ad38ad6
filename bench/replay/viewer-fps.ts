/**
 * The viewer at 64× in Chromium: builds the web app, drops a long writing session on /replay,
 * plays it from 70 % for a few seconds and reads the per-frame performance marks.
 *
 *   npx tsx bench/replay/viewer-fps.ts [words=6000] [seconds=5]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../../scripts/test-support/chromium';
import { buildWeb, sealBundle, serveStatic, writingEvents } from '../../apps/web/src/testing/browser-harness';
import { FRAME_MARK, FRAME_WORK } from '../../apps/web/src/pages/replay/playback';

const WORDS = Number(process.argv[2] ?? 6000);
const SECONDS = Number(process.argv[3] ?? 5);

const dir = await mkdtemp(join(tmpdir(), 'veritas-replay-fps-'));
const events = writingEvents(WORDS);
const file = join(dir, 'session.json');
await writeFile(file, JSON.stringify(await sealBundle('replayfpsbench0001', events)));
await buildWeb(join(dir, 'dist'));
const { url, server } = await serveStatic(join(dir, 'dist'));
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/replay`);
  await page.setInputFiles('[data-testid=bundle-input]', file);
  await page.locator('[data-testid=chain-status]').waitFor();
  const build = await page.evaluate(() => performance.getEntriesByName('replay:index-build')[0]?.duration ?? NaN);
  // Start at 70 % so the document on screen is long, the case where re-rendering it all would hurt.
  const box = (await page.locator('.rp-scrubber canvas').boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height - 5);
  await page.selectOption('select[aria-label=Speed]', '64');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForTimeout(SECONDS * 1000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const r = await page.evaluate(
    ([mark, work]) => ({
      marks: performance.getEntriesByName(mark).map((e) => e.startTime),
      work: performance.getEntriesByName(work).map((e) => e.duration),
      chars: document.querySelector('[data-testid=replay-text]')?.textContent?.length ?? 0,
    }),
    [FRAME_MARK, FRAME_WORK] as const,
  );
  const gaps = r.marks
    .slice(1)
    .map((m, i) => m - r.marks[i]!)
    .sort((a, b) => a - b);
  const work = [...r.work].sort((a, b) => a - b);
  const p = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;
  const fps = ((r.marks.length - 1) / (r.marks[r.marks.length - 1]! - r.marks[0]!)) * 1000;
  const ops = events.filter((e) => e.type === 'text.op').length;
  console.log(
    `viewer at 64×: ${events.length} events (${ops} text ops), index built in the page in ${build.toFixed(0)} ms, ${r.chars} chars shown after ${SECONDS} s`,
  );
  console.log(`frames ${r.marks.length}, ${fps.toFixed(1)} fps; frame interval p50 ${p(gaps, 0.5).toFixed(1)} ms, p99 ${p(gaps, 0.99).toFixed(1)} ms`);
  console.log(
    `frame work (seek + text + DOM) p50 ${p(work, 0.5).toFixed(2)} ms, p99 ${p(work, 0.99).toFixed(2)} ms, max ${work[work.length - 1]!.toFixed(2)} ms (budget 16.7 ms)`,
  );
} finally {
  await browser.close();
  server.close();
  await rm(dir, { recursive: true, force: true });
}
