import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { buildReplayIndexFromBundle, encodeReplay, REPLAY_MEDIA_TYPE, type AnalysisFlag, type ReplayIndex } from '@veritas/replay';
import type { Bundle } from '@veritas/schema';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { buildWeb, sealBundle, serveStatic, writingEvents } from '../../testing/browser-harness';
import { FRAME_MARK, FRAME_WORK } from './playback';

const SID = 'browserreplay0001';
const LONG = 'browserreplaylong0001';
const PENDING = 'browserreplaypending0001';
let dir: string;
let server: RunningServer;
let url: string;
let mock: Server;
let mockUrl: string;
let browser: Browser;
let bundle: Bundle;
let index: ReplayIndex;
let longIndex: ReplayIndex;
let pendingIndex: ReplayIndex;
let bundleFile: string;
let analysisPolls = 0;
const flag: AnalysisFlag = {
  detector: 'external-paste',
  severity: 'high',
  message: 'Large paste from outside',
  evidence: { seqFrom: 0, seqTo: 0, tFrom: 0, tTo: 0, excerpt: 'FROM' },
  values: { chars: 4 },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-replay-web-'));
  const out = join(dir, 'dist');
  bundle = (await sealBundle(SID, writingEvents(400))) as unknown as Bundle;
  bundle.session.meta = { title: 'Foxes, an essay' };
  index = buildReplayIndexFromBundle(bundle);
  bundleFile = join(dir, 'session.json');
  await writeFile(bundleFile, JSON.stringify(bundle));
  // A long session: over 20,000 text operations (and as many key events).
  const long = (await sealBundle(LONG, writingEvents(4400))) as unknown as Bundle;
  longIndex = buildReplayIndexFromBundle(long);
  expect(longIndex.opCount).toBeGreaterThan(20_000);
  await buildWeb(out);

  // The real server, serving this build: stored sessions come through its routes.
  server = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), webDist: out, logLevel: 'silent' }));
  url = server.url;
  for (const b of [bundle, long]) await server.app.services.bundles.import({ tenantId: null }, b, { source: 'upload' });

  // A mock API whose analysis stays pending for a while, then is done with a known flag.
  const pending = (await sealBundle(PENDING, writingEvents(400))) as unknown as Bundle;
  pendingIndex = buildReplayIndexFromBundle(pending);
  const paste = pendingIndex.data.pastes.find((p) => p.origin === 'paste-external')!;
  const firstOp = { seq: pendingIndex.data.ops.seq[3]!, t: pendingIndex.data.ops.t[3]! };
  flag.evidence = {
    seqFrom: paste.seq,
    seqTo: paste.seq,
    tFrom: paste.t,
    tTo: paste.t + 500,
    excerpt: 'FROM',
    moments: [{ seqFrom: firstOp.seq, seqTo: firstOp.seq, tFrom: firstOp.t, tTo: firstOp.t, excerpt: 'early' }],
  };
  const api = `/v1/sessions/${PENDING}`;
  // Its bundle, as this mock hands it out, was altered after recording: one typed character changed.
  const tampered = structuredClone(pending);
  const op = tampered.batches[1]!.events.find((e) => e.type === 'text.op')!;
  (op.data as { ins: string }).ins = 'X';
  ({ url: mockUrl, server: mock } = await serveStatic(out, {
    [api]: { id: PENDING, kind: 'writing', status: 'ended', eventCount: pendingIndex.data.session.eventCount, meta: { title: 'Pending analysis' } },
    [`${api}/replay`]: () => ({ type: REPLAY_MEDIA_TYPE, body: encodeReplay(pendingIndex) }),
    [`${api}/bundle`]: tampered,
    [`${api}/analysis`]: () => (++analysisPolls < 3 ? { status: 202, body: { status: 'pending' } } : { body: { status: 'done', analysis: { flags: [flag] } } }),
  }));
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  mock?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Every /v1 request the page makes, as method and path. */
function apiRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/v1/')) seen.push(`${r.method()} ${u.pathname}`);
  });
  return seen;
}

/** The server's analysis of a session, once done (the job runs after the import). */
async function storedFlags(sessionId: string): Promise<AnalysisFlag[]> {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(`${url}/v1/sessions/${sessionId}/analysis`);
    const body = (await res.json()) as { status: string; analysis?: { flags: AnalysisFlag[] } };
    if (res.status === 200) return body.analysis!.flags;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no analysis of ${sessionId}`);
}

/** The text as drawn: paragraphs joined by newlines (the caret has no text). */
const shownText = (page: Page) => page.locator('[data-testid=replay-text]').evaluate((el) => Array.from(el.children, (p) => p.textContent ?? '').join('\n'));
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
    const bg = (o: string) =>
      page
        .locator(`.rp-text [data-origin="${o}"]`)
        .first()
        .evaluate((el) => getComputedStyle(el).backgroundColor);
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
      ([mark, work]) => ({
        marks: performance.getEntriesByName(mark).map((e) => e.startTime),
        work: performance.getEntriesByName(work).map((e) => e.duration),
      }),
      [FRAME_MARK, FRAME_WORK] as const,
    );
    expect(frames.marks.length).toBeGreaterThan(5);
    expect(frames.work.length).toBe(frames.marks.length);
    const seq = await shownSeq(page);
    expect(seq).toBeGreaterThan(0);
    expect(await shownText(page)).toBe(index.textAt(seq));
    const span = frames.marks[frames.marks.length - 1]! - frames.marks[0]!;
    console.log(
      `viewer at 64×: ${frames.marks.length} frames, ${(((frames.marks.length - 1) / span) * 1000).toFixed(1)} fps, frame work max ${Math.max(...frames.work).toFixed(2)} ms`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('streams a stored session through /replay, with metadata and stored flags; no bundle until "Verify chain", which finds the chain intact', async () => {
    const flags = await storedFlags(SID);
    expect(flags.length).toBeGreaterThan(0);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const requests = apiRequests(page);
    await page.goto(`${url}/replay/${SID}`);
    const button = page.locator('button[data-flag]');
    await expect.poll(() => button.count()).toBe(flags.length);
    expect(await page.locator('[data-testid=flags-source]').textContent()).toMatch(/flags? from the stored analysis/);
    // Title, kind and event count come from GET /v1/sessions/{id}.
    expect(await page.locator('.rp-header').textContent()).toContain(`Foxes, an essay · writing · ${index.data.session.eventCount} events`);
    expect(requests).toEqual(expect.arrayContaining([`GET /v1/sessions/${SID}`, `GET /v1/sessions/${SID}/replay`, `GET /v1/sessions/${SID}/analysis`]));
    expect(requests.filter((r) => r.endsWith('/bundle'))).toEqual([]);

    // Seeking: the text shown is the text at the seq shown.
    const scrub = page.locator('.rp-scrubber canvas');
    const box = (await scrub.boundingBox())!;
    for (const f of [0.2, 0.6, 0.97]) {
      await page.mouse.click(box.x + box.width * f, box.y + box.height - 5);
      const seq = await shownSeq(page);
      expect(seq).toBeGreaterThan(0);
      expect(await shownText(page)).toBe(index.textAt(seq));
    }
    // A click on a flag jumps to its moment.
    const external = flags.findIndex((f) => f.detector === 'external-paste');
    const target = flags[Math.max(0, external)]!;
    await button.filter({ hasText: target.message }).first().click();
    const seq = await shownSeq(page);
    expect(seq).toBe(index.seqAtTime(target.evidence.tFrom));
    expect(await shownText(page)).toBe(index.textAt(seq));

    // The chain is not checked until asked; asking downloads the bundle and checks it here.
    const chain = page.locator('[data-testid=chain-status]');
    expect(await chain.textContent()).toContain('has not been checked in this browser');
    expect(requests.filter((r) => r.endsWith('/bundle'))).toEqual([]);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => chain.textContent()).toContain('Chain verified in this browser: ');
    expect(await chain.textContent()).toContain(`${bundle.batches.length} batches, ${index.data.session.eventCount} events`);
    expect(await chain.textContent()).not.toContain('Reload');
    expect(requests.filter((r) => r.endsWith('/bundle'))).toEqual([`GET /v1/sessions/${SID}/bundle`]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the download progress of a long session, then replays it exactly', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    // Records every text the progress indicator showed, however briefly.
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { progressSeen: string[] }).progressSeen = seen;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid=replay-progress]')?.textContent;
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const requests = apiRequests(page);
    await page.goto(`${url}/replay/${LONG}`);
    await page.locator('[data-testid=replay-text]').waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    const percents = seen
      .map((t) => /Loading replay… (\d+)%/.exec(t)?.[1])
      .filter((x) => x !== undefined)
      .map(Number);
    // Shown part way, and moving: the viewer lets the page draw after each chunk of operations
    // (4096 by default), so the bar advances even when the whole stream arrives in one read.
    expect(new Set(percents.filter((p) => p > 0 && p < 100)).size, seen.join(' | ')).toBeGreaterThanOrEqual(3);
    expect(await page.locator('[data-testid=replay-progress]').count()).toBe(0);
    expect(requests.filter((r) => r.endsWith('/bundle'))).toEqual([]);

    const box = (await page.locator('.rp-scrubber canvas').boundingBox())!;
    for (const f of [0.35, 0.8]) {
      await page.mouse.click(box.x + box.width * f, box.y + box.height - 5);
      const seq = await shownSeq(page);
      expect(seq).toBeGreaterThan(0);
      expect(await shownText(page)).toBe(longIndex.textAt(seq));
    }
    await page.mouse.click(box.x + box.width - 2, box.y + box.height - 5);
    await page.locator('.rp-scrubber').press('Shift+ArrowRight');
    expect(await shownSeq(page)).toBe(longIndex.lastSeq);
    expect(await shownText(page)).toBe(longIndex.finalText());
    await page.close();
  });

  it('says "analysis pending" while the stored analysis is not done, shows its flags once it is, and finds an altered bundle out', async () => {
    analysisPolls = 0;
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(`${mockUrl}/replay/${PENDING}`);
    const note = page.locator('[data-testid=flags-source]');
    await expect.poll(() => note.textContent()).toContain('Analysis pending');
    // The replay is there already, without the flags.
    expect(await page.locator('[data-testid=replay-text]').count()).toBe(1);
    expect(await page.locator('button[data-flag]').count()).toBe(0);
    // Polled every ~2 s: done at the third answer.
    await expect.poll(() => page.locator('button[data-flag]').count(), { timeout: 15_000 }).toBe(1);
    expect(analysisPolls).toBe(3);
    expect(await note.textContent()).toMatch(/^1 flag from the stored analysis/);
    expect(await page.locator('.rp-header').textContent()).toContain('Pending analysis · writing');
    const button = page.locator('button[data-flag]');
    expect(await button.textContent()).toContain('Large paste from outside');
    await button.click();
    const seq = await shownSeq(page);
    expect(seq).toBe(pendingIndex.seqAtTime(flag.evidence.tFrom));
    expect(await shownText(page)).toBe(pendingIndex.textAt(seq));
    expect(await shownText(page)).toMatch(/FROM ELSEWHERE ENTIRELY$/);
    // Its evidence's moments are listed under it; one click jumps to where that stretch starts.
    const moment = flag.evidence.moments![0]!;
    await page.locator('button[data-moment="0:0"]').click();
    expect(await shownSeq(page)).toBe(pendingIndex.seqAtTime(moment.tFrom));
    expect(await shownText(page)).toBe(pendingIndex.textAt(pendingIndex.seqAtTime(moment.tFrom)));

    // Verify chain checks the bundle it downloads, and says when it was altered.
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.locator('[data-testid=chain-status]').textContent()).toContain('Chain broken: hash-mismatch at batch 1');
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
