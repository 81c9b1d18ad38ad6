import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import { launchChromium } from '../../../scripts/test-support/chromium';
import { bundleRecorder, replayText, serveDir, writePage } from './testing/harness';
import type { RecorderWindow } from './testing/connected-page';

/**
 * The recorder on a partner's page: the page is served from one origin (http://127.0.0.1:A) and
 * Veritas from another (http://localhost:B). Veritas allows the first page's origin for public
 * sessions (VERITAS_CORS_ORIGINS) and not the second's.
 */
let browser: Browser;
let veritas: RunningServer;
let allowedSite: Awaited<ReturnType<typeof serveDir>>;
let otherSite: Awaited<ReturnType<typeof serveDir>>;
let api: string;

beforeAll(async () => {
  const dir = await bundleRecorder();
  writePage(dir, 'index.html', '<textarea id="ed" rows="6" cols="60"></textarea>');
  allowedSite = await serveDir(dir);
  otherSite = await serveDir(dir);
  veritas = await startServer(
    loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-cors-')), logLevel: 'silent', corsOrigins: [allowedSite.url] }),
  );
  api = `http://localhost:${new URL(veritas.url).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await veritas?.close();
  await allowedSite?.close();
  await otherSite?.close();
});

async function recordOn(page: Page, site: string, text: string) {
  await page.goto(`${site}/index.html`);
  await page.waitForFunction(() => (window as unknown as RecorderWindow).veritasLoaded);
  await page.evaluate(async (server) => {
    const w = window as unknown as RecorderWindow;
    w.statuses = [];
    w.errors = [];
    w.rec = w.V.attach(document.getElementById('ed')!, {
      server,
      batchMs: 100,
      storage: 'memory',
      onStatus: (s) => w.statuses.push(s),
      onError: (e) => w.errors.push(e),
    });
    await w.rec.ready;
    await w.rec.start({ policy: 'cross-origin-test' });
  }, api);
  await page.locator('#ed').click();
  await page.keyboard.type(text);
}

describe('the recorder on another origin than Veritas (Chromium)', () => {
  it('creates a public session and sends its batches from an allowed origin', async () => {
    const page = await browser.newPage();
    expect(new URL(allowedSite.url).origin).not.toBe(new URL(api).origin);
    await recordOn(page, allowedSite.url, 'Written on a partner page.');
    await page.evaluate(() => (window as unknown as RecorderWindow).rec.flush());
    await page.waitForFunction(() => (window as unknown as RecorderWindow).rec.status.saved, undefined, { timeout: 30_000, polling: 100 });
    const status = await page.evaluate(() => (window as unknown as RecorderWindow).rec.status);
    const errors = await page.evaluate(() => (window as unknown as RecorderWindow).errors);
    expect(errors).toEqual([]);
    expect(status.sessionId).toBeTruthy();
    const r = await fetch(`${veritas.url}/v1/sessions/${status.sessionId}/events?limit=5000`);
    const { items } = (await r.json()) as { items: Parameters<typeof replayText>[0] };
    expect(items.map((e) => e.seq)).toEqual([...Array(status.ack + 1).keys()]);
    expect(replayText(items)).toBe('Written on a partner page.');
    await page.close();
  });

  it('cannot create a session from an origin Veritas does not allow: the browser blocks it', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/CORS|Access-Control/i.test(m.text())) refused.push(m.text());
    });
    await recordOn(page, otherSite.url, 'Not allowed here.');
    await page.waitForFunction(() => (window as unknown as RecorderWindow).errors.some((e) => e.code === 'network'), undefined, {
      timeout: 30_000,
      polling: 100,
    });
    const status = await page.evaluate(() => (window as unknown as RecorderWindow).rec.status);
    expect(status.sessionId).toBeFalsy();
    expect(refused.length).toBeGreaterThan(0);
    await page.evaluate(() => (window as unknown as RecorderWindow).rec.detach());
    await page.close();
  });
});
