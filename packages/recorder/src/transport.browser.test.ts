import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, WebSocket as PwSocket } from 'playwright-core';
import { performance } from 'node:perf_hooks';
import { launchChromium } from '../../../scripts/test-support/chromium';
import { RecorderSite, attachRecorder, expectComplete, recorderStatus, waitSaved, type RecorderWindow } from './testing/connected-page';

// The transport paths the happy-path tests do not reach: a WebSocket outage, a 503 with
// Retry-After, a 409 that resending cannot fix, and a browser without IndexedDB.

let browser: Browser;
let site: RecorderSite;

beforeAll(async () => {
  site = await RecorderSite.open('rec-transport');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

type Win = RecorderWindow;

/** A fresh page that collects uncaught errors: the recorder must never throw into the host page. */
async function newPage(): Promise<{ page: Page; pageErrors: Error[] }> {
  const page = await browser.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  return { page, pageErrors };
}

const status = recorderStatus;
const errors = (page: Page) => page.evaluate(() => (window as unknown as Win).errors);
const statuses = (page: Page) => page.evaluate(() => (window as unknown as Win).statuses);

async function type(page: Page, text: string): Promise<void> {
  await page.locator('#ed').click();
  await page.keyboard.press('End');
  await page.keyboard.type(text);
}

describe('recorder transports under failure (real Chromium, real server)', () => {
  it('WebSocket: the server stops and starts again on the same data and port; the recorder reconnects with backoff, says hello again, and every event arrives once', async () => {
    const { page, pageErrors } = await newPage();
    const attempts: number[] = []; // when each WebSocket was opened (a refused connection counts)
    const hellos: number[] = [];
    const readies: number[] = [];
    page.on('websocket', (ws: PwSocket) => {
      attempts.push(performance.now());
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && JSON.parse(f.payload).type === 'hello') hellos.push(performance.now());
      });
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string' && JSON.parse(f.payload).type === 'ready') readies.push(performance.now());
      });
    });
    await attachRecorder(page, site, { server: '', storageKey: 'ws-outage', transport: 'websocket', batchMs: 100 });
    await type(page, 'Before the outage. ');
    const before = await waitSaved(page);
    expect(readies).toHaveLength(1);

    await site.stop();
    const downAt = performance.now();
    await type(page, 'Written while the server is down.');
    await page.waitForFunction(() => (window as unknown as Win).rec.status.state === 'offline', undefined, { timeout: 20_000, polling: 50 });
    expect((await status(page)).queued).toBeGreaterThan(0);
    await page.waitForTimeout(1500); // a few refused reconnections
    const attemptsWhileDown = attempts.filter((t) => t > downAt);
    expect(attemptsWhileDown.length).toBeGreaterThanOrEqual(2);

    await site.start();
    const upAt = performance.now();
    await type(page, ' Back.');
    await page.evaluate(() => (window as unknown as Win).rec.flush());
    const after = await waitSaved(page);
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.state).toBe('recording');

    // Backoff: successive connection attempts are spaced by at least the first backoff step (250 ms), never a storm.
    const tries = attempts.filter((t) => t > downAt);
    for (let i = 1; i < tries.length; i++) expect(tries[i]! - tries[i - 1]!).toBeGreaterThanOrEqual(200);
    // A new socket after the restart, authorised by a new hello.
    expect(readies.filter((t) => t > upAt).length).toBeGreaterThanOrEqual(1);
    expect(hellos.filter((t) => t > upAt).length).toBeGreaterThanOrEqual(1);

    const seen = await statuses(page);
    const offlineAt = seen.findIndex((s) => s.state === 'offline' && s.queued > 0);
    expect(offlineAt).toBeGreaterThanOrEqual(0);
    expect(seen.slice(offlineAt).some((s) => s.state === 'recording' && s.saved)).toBe(true);
    await expectComplete(page, site, after.sessionId!, after.ack + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('503 with Retry-After: the recorder waits at least that long before resending, says it is offline, and stores every event once', async () => {
    const { page, pageErrors } = await newPage();
    const posts: { at: number; refused: boolean }[] = [];
    let refuse = 3;
    await page.route('**/v1/sessions/*/events', async (route) => {
      const at = performance.now();
      if (route.request().method() === 'POST' && refuse > 0) {
        refuse--;
        posts.push({ at, refused: true });
        return route.fulfill({
          status: 503,
          headers: { 'retry-after': '1', 'content-type': 'application/problem+json' },
          body: JSON.stringify({ type: 'urn:veritas:problem:database-unavailable', title: 'The database is unavailable; retry later', status: 503 }),
        });
      }
      posts.push({ at, refused: false });
      return route.continue();
    });
    await attachRecorder(page, site, { server: '', storageKey: 'retry-after', batchMs: 100 });
    await type(page, 'Typed while the database is away.');
    await page.evaluate(() => (window as unknown as Win).rec.flush());
    const s = await waitSaved(page);

    expect(posts.slice(0, 4).map((p) => p.refused)).toEqual([true, true, true, false]);
    // Lower bounds only: each resend comes at least Retry-After (1 s) after the 503 was answered.
    for (let i = 1; i <= 3; i++) expect(posts[i]!.at - posts[i - 1]!.at).toBeGreaterThanOrEqual(990);

    const seen = await statuses(page);
    const offlineAt = seen.findIndex((x) => x.state === 'offline' && x.queued > 0);
    expect(offlineAt).toBeGreaterThanOrEqual(0);
    expect(seen.slice(offlineAt).some((x) => x.state === 'recording' && x.saved)).toBe(true);
    const errs = await errors(page);
    expect(errs.length).toBe(3);
    for (const e of errs) expect(e).toMatchObject({ code: 'server', status: 503, problem: { type: 'urn:veritas:problem:database-unavailable' } });
    await expectComplete(page, site, s.sessionId!, s.ack + 1);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  for (const transport of ['http', 'websocket'] as const) {
    it(`409 session-ended over ${transport}: one refused batch, no resends, onError says why, nothing thrown into the page`, async () => {
      const created = await fetch(`${site.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'writing' }),
      });
      expect(created.status).toBe(201);
      const session = (await created.json()) as { id: string; writeToken: string };

      const { page, pageErrors } = await newPage();
      const sends: number[] = [];
      const sockets: PwSocket[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith(`/v1/sessions/${session.id}/events`)) sends.push(performance.now());
      });
      page.on('websocket', (ws) => {
        sockets.push(ws);
        ws.on('framesent', (f) => {
          if (typeof f.payload === 'string' && JSON.parse(f.payload).type === 'batch') sends.push(performance.now());
        });
      });
      await attachRecorder(page, site, { server: '', session, storageKey: `ended-${transport}`, transport, batchMs: 100 });
      await type(page, 'Saved before the end. ');
      await waitSaved(page);

      const ended = await fetch(`${site.url}/v1/sessions/${session.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${session.writeToken}` } });
      expect(ended.status).toBe(200);
      const sentBefore = sends.length;
      await type(page, 'Still typing.');
      await page.waitForFunction(() => (window as unknown as Win).errors.some((e) => e.code === 'conflict'), undefined, { timeout: 20_000, polling: 50 });
      // Keep writing for a while: a recorder that resent would show it within a few backoff steps.
      await type(page, ' And more.');
      await page.waitForTimeout(2500);
      expect(sends.length - sentBefore).toBe(1);
      // Having given up, the recorder holds no socket open.
      if (transport === 'websocket') expect(sockets.every((ws) => ws.isClosed())).toBe(true);

      const errs = await errors(page);
      expect(errs).toEqual([
        expect.objectContaining({ code: 'conflict', status: 409, problem: expect.objectContaining({ type: 'urn:veritas:problem:session-ended' }) }),
      ]);
      expect((await status(page)).state).toBe('error');
      // The host's calls still resolve, never reject, never throw.
      await page.evaluate(async () => {
        const rec = (window as unknown as Win).rec;
        rec.emit('mark', { label: 'after the end' });
        await rec.flush();
        await rec.end();
      });
      expect(sends.length - sentBefore).toBe(1);
      // end() stopped the capture and kept the error visible.
      const queued = (await status(page)).queued;
      await type(page, ' Typed after Submit.');
      expect(await status(page)).toMatchObject({ state: 'error', queued });
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  }

  const noIndexedDb = {
    // A browser that has no IndexedDB at all.
    missing: () => {
      delete (window as { indexedDB?: unknown }).indexedDB;
    },
    // A browser where opening fails (Firefox private mode did this): the request errors.
    refused: () => {
      IDBFactory.prototype.open = function () {
        const req = { error: new DOMException('IndexedDB is disabled in this mode', 'InvalidStateError') } as unknown as IDBOpenDBRequest;
        setTimeout(() => (req.onerror as ((e: Event) => void) | null)?.(new Event('error')), 0);
        return req;
      };
    },
  };

  for (const [name, init] of Object.entries(noIndexedDb)) {
    it(`IndexedDB ${name}: the recorder keeps the session in memory, says so, and still records and sends everything`, async () => {
      const { page, pageErrors } = await newPage();
      await page.addInitScript(init);
      await attachRecorder(page, site, { server: '', storageKey: `no-idb-${name}`, batchMs: 100 });
      await type(page, 'No IndexedDB here.');
      await page.evaluate(() => (window as unknown as Win).rec.flush());
      const s = await waitSaved(page);

      const errs = await errors(page);
      expect(errs).toEqual([expect.objectContaining({ code: 'storage', message: expect.stringMatching(/memory/i) })]);
      expect(s).toMatchObject({ state: 'recording', storage: 'memory' });
      expect((await statuses(page)).every((x) => x.storage === 'memory')).toBe(true);
      await expectComplete(page, site, s.sessionId!, s.ack + 1);
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  }
});
