import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { buildReplayIndexFromBundle, type ReplayIndex } from '@veritas/replay';
import type { Bundle } from '@veritas/schema';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { buildWeb, sealBundle, serveStatic, writingEvents } from '../../testing/browser-harness';
import { FRAME_MARK, FRAME_WORK } from './playback';

const SID = 'browserreplay0001';
let dir: string;
let server: Server;
let url: string;
let browser: Browser;
let bundle: Bundle;
let index: ReplayIndex;
let bundleFile: string;
const flag = { detector: 'external-paste', severity: 'high', message: 'Large paste from outside', evidence: { seqFrom: 0, seqTo: 0, tFrom: 0, tTo: 0, excerpt: 'FROM' } };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-replay-web-'));
  const out = join(dir, 'dist');
  bundle = (await sealBundle(SID, writingEvents(400))) as unknown as Bundle;
  index = buildReplayIndexFromBundle(bundle);
  const paste = index.data.pastes.find((p) => p.origin === 'paste-external')!;
  flag.evidence = { seqFrom: paste.seq, seqTo: paste.seq, tFrom: paste.t, tTo: paste.t + 500, excerpt: 'FROM' };
  bundleFile = join(dir, 'session.json');
  await writeFile(bundleFile, JSON.stringify(bundle));
  await buildWeb(out);
  ({ url, server } = await serveStatic(out, { [`/v1/sessions/${SID}/bundle`]: bundle, [`/v1/sessions/${SID}/analysis`]: { status: 'done', analysis: { flags: [flag] } } }));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The text as drawn: paragraphs joined by newlines (the caret has no text). */
const shownText = (page: Page) =>
  page.locator('[data-testid=replay-text]').evaluate((el) => Array.from(el.children, (p) => p.textContent ?? '').join('\n'));
const shownSeq = async (page: Page) => Number(/seq (-?\d+)/.exec((await page.locator('.rp-time').textContent()) ?? '')![1]);

describe('replay viewer in Chromium', () => {
  it('plays a dropped bundle with no server: chain verified, seeking shows the right text, origins coloured, frames marked at 64×', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}/replay`);
    await page.setInputFiles('[data-testid=bundle-input]', bundleFile);
    await expect.poll(() => page.locator('[data-testid=chain-status]').textContent()).toContain('Chain verified in this browser: ');
    expect(await page.locator('[data-testid=chain-status]').textContent()).toContain(`${bundle.batches.length} batches`);
    // With no server, the analysis runs in the browser: the external paste of this session is flagged.
    expect(await page.locator('[data-testid=flags-source]').textContent()).toMatch(/^[1-9]\d* flags? from an analysis run in this browser/);
    expect(await page.locator('button[data-flag]').count()).toBeGreaterThan(0);

    // Seek by clicking the scrubber at several places: the text shown is the text at the seq shown.
    const scrub = page.locator('.rp-scrubber canvas');
    const box = (await scrub.boundingBox())!;
    for (const f of [0.1, 0.5, 0.93, 0.3]) {
      await page.mouse.click(box.x + box.width * f, box.y + box.height - 5);
      const seq = await shownSeq(page);
      expect(seq).toBeGreaterThan(0);
      expect(await shownText(page)).toBe(index.textAt(seq));
    }
    // The keyboard moves the playhead too; far enough right it reaches the end.
    await page.mouse.click(box.x + box.width - 2, box.y + box.height - 5);
    await page.locator('.rp-scrubber').press('Shift+ArrowRight');
    expect(await shownSeq(page)).toBe(index.lastSeq);
    expect(await shownText(page)).toBe(index.finalText());

    // Colours by origin: every kind of this session is present and looks different from typing.
    for (const origin of ['typed', 'paste-external', 'paste-internal', 'input-method']) {
      expect(await page.locator(`.rp-text [data-origin="${origin}"]`).count()).toBeGreaterThan(0);
    }
    const bg = (o: string) => page.locator(`.rp-text [data-origin="${o}"]`).first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg('paste-external')).not.toBe(await bg('typed'));
    expect(await page.locator('.rp-text [data-origin="paste-external"]').first().textContent()).toContain('FROM ELSEWHERE');
    expect(await page.locator('.rp-text .rp-caret').count()).toBe(1);

    // Play at 64× from the start for a moment: each frame leaves a performance mark.
    await page.mouse.click(box.x + 1, box.y + box.height - 5);
    await page.selectOption('select[aria-label=Speed]', '64');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const frames = await page.evaluate(
      ([mark, work]) => ({ marks: performance.getEntriesByName(mark).map((e) => e.startTime), work: performance.getEntriesByName(work).map((e) => e.duration) }),
      [FRAME_MARK, FRAME_WORK] as const,
    );
    expect(frames.marks.length).toBeGreaterThan(5);
    expect(frames.work.length).toBe(frames.marks.length);
    const seq = await shownSeq(page);
    expect(seq).toBeGreaterThan(0);
    expect(await shownText(page)).toBe(index.textAt(seq));
    const span = frames.marks[frames.marks.length - 1]! - frames.marks[0]!;
    console.log(`viewer at 64×: ${frames.marks.length} frames, ${(((frames.marks.length - 1) / span) * 1000).toFixed(1)} fps, frame work max ${Math.max(...frames.work).toFixed(2)} ms`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads a session from the server with its flags; a click on a flag jumps to its moment', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${url}/replay/${SID}`);
    const button = page.locator('button[data-flag]');
    await expect.poll(() => button.count()).toBe(1);
    expect(await button.textContent()).toContain('Large paste from outside');
    await button.click();
    const seq = await shownSeq(page);
    expect(seq).toBe(index.seqAtTime(flag.evidence.tFrom));
    expect(await shownText(page)).toBe(index.textAt(seq));
    expect(await shownText(page)).toMatch(/FROM ELSEWHERE ENTIRELY$/);
    await page.close();
  });

  it('says clearly when a session cannot be loaded, and when a dropped file is not a bundle', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/replay/nosuchsession0000`);
    await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('404');
    await page.goto(`${url}/replay`);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ format: 'something-else' }));
    await page.setInputFiles('[data-testid=bundle-input]', bad);
    await expect.poll(() => page.locator('[role=alert]').textContent()).toContain('Not a Veritas bundle');
    await page.close();
  });
});
