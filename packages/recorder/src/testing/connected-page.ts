import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { VeritasEvent } from '@veritas/schema';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import type { Recorder, RecorderError, RecorderOptions, RecorderStatus } from '../index';
import { bundleRecorder, replayText, writePage } from './harness';

/** What the test page keeps on `window`: the SDK, the recorder, and what it reported. */
export type RecorderWindow = { V: typeof import('../index'); rec: Recorder; statuses: RecorderStatus[]; errors: RecorderError[]; veritasLoaded?: boolean };

/**
 * A real Veritas server that also serves a page with the recorder bundled and one textarea.
 * It can be stopped and started again on the same port and data folder, as an outage would.
 */
export class RecorderSite {
  server!: RunningServer;
  private port = 0;

  private constructor(
    private readonly webDir: string,
    private readonly dataDir: string,
  ) {}

  /** `recorderJs`: serve this built file as the page's recorder (a packed package's) instead of bundling the sources. */
  static async open(name: string, options: { recorderJs?: string } = {}): Promise<RecorderSite> {
    const webDir = options.recorderJs ? mkdtempSync(join(tmpdir(), 'veritas-packed-')) : await bundleRecorder();
    if (options.recorderJs) copyFileSync(options.recorderJs, join(webDir, 'recorder.js'));
    writePage(webDir, 'index.html', '<textarea id="ed" rows="6" cols="60"></textarea>');
    const site = new RecorderSite(webDir, mkdtempSync(join(tmpdir(), `veritas-${name}-`)));
    await site.start();
    return site;
  }

  get url(): string {
    return this.server.url;
  }

  async start(): Promise<void> {
    this.server = await startServer(loadConfig({}, { host: '127.0.0.1', port: this.port, dataDir: this.dataDir, webDist: this.webDir, logLevel: 'silent' }));
    this.port = Number(new URL(this.server.url).port);
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}

/** Loads the page and attaches a connected recorder (starting it unless it resumed); answers whether it resumed. */
export async function attachRecorder(page: Page, site: RecorderSite, options: RecorderOptions): Promise<boolean> {
  await page.goto(`${site.url}/index.html`);
  await page.waitForFunction(() => (window as unknown as RecorderWindow).veritasLoaded);
  return page.evaluate(async (options) => {
    const w = window as unknown as RecorderWindow;
    w.statuses = [];
    w.errors = [];
    w.rec = w.V.attach(document.getElementById('ed')!, { ...options, onStatus: (s) => w.statuses.push(s), onError: (e) => w.errors.push(e) });
    const { resumed } = await w.rec.ready;
    if (!resumed) await w.rec.start({ policy: 'veritas-test' });
    return resumed;
  }, options);
}

export const recorderStatus = (page: Page) => page.evaluate(() => (window as unknown as RecorderWindow).rec.status);

/** Waits until the recorder says everything it holds is acknowledged. */
export async function waitSaved(page: Page, timeout = 45_000): Promise<RecorderStatus> {
  await page.waitForFunction(
    () => {
      const s = (window as unknown as RecorderWindow).rec.status;
      return s.saved && s.ack >= 0;
    },
    undefined,
    { timeout, polling: 100 },
  );
  return recorderStatus(page);
}

export async function storedEvents(site: RecorderSite, id: string): Promise<VeritasEvent[]> {
  const r = await fetch(`${site.url}/v1/sessions/${id}/events?limit=5000`);
  expect(r.status).toBe(200);
  return ((await r.json()) as { items: VeritasEvent[] }).items;
}

/** Every seq 0..count-1 stored exactly once (no gaps, no duplicates), and the text rebuilt is the editor's. */
export async function expectComplete(page: Page, site: RecorderSite, id: string, count: number): Promise<VeritasEvent[]> {
  const events = await storedEvents(site, id);
  expect(events.map((e) => e.seq)).toEqual([...Array(count).keys()]);
  expect(events[0]).toMatchObject({ type: 'consent', data: { accepted: true } });
  expect(replayText(events)).toBe(await page.locator('#ed').inputValue());
  return events;
}
