import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { verifyChain, macKeyFromToken, type Bundle } from '@veritas/schema';
import { launchChromium } from '../../../scripts/test-support/chromium';
import { RecorderSite, attachRecorder, expectComplete, recorderStatus, storedEvents, waitSaved, type RecorderWindow } from './testing/connected-page';
import { eventsOf, replayText } from './testing/harness';

let browser: Browser;
let site: RecorderSite;

beforeAll(async () => {
  site = await RecorderSite.open('rec-data');
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await site?.stop();
});

type Win = RecorderWindow;

const status = recorderStatus;

/** How many sealed batches the recorder keeps in IndexedDB (the page's own store). */
const keptBatches = (page: import('playwright-core').Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open('veritas-recorder');
        open.onerror = () => resolve(-1);
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('batches').objectStore('batches').count();
          count.onsuccess = () => (db.close(), resolve(count.result));
          count.onerror = () => (db.close(), resolve(-1));
        };
      }),
  );
describe('connected mode against a real server', () => {
  it('the server goes away mid-session and comes back: every event arrives once, and Submit ends the session', async () => {
    const page = await browser.newPage();
    await attachRecorder(page, site, { server: '', storageKey: 'outage', batchMs: 100, meta: { title: 'Outage' } });
    await page.locator('#ed').click();
    await page.keyboard.type('Before the outage. ');
    await waitSaved(page);
    await site.stop();
    await page.keyboard.type('Written while the server is down.');
    await page.waitForFunction(() => (window as unknown as Win).rec.status.state === 'offline', undefined, { timeout: 15_000 });
    const offline = await status(page);
    expect(offline.queued).toBeGreaterThan(0);
    await site.start();
    await page.keyboard.type(' Back.');
    const saved = await waitSaved(page);
    await page.evaluate(() => (window as unknown as Win).rec.end());
    const after = await page.evaluate(() => ({ s: (window as unknown as Win).rec.status, statuses: (window as unknown as Win).statuses }));
    expect(after.s.state).toBe('ended');
    expect(after.statuses.some((s) => s.state === 'offline' && s.queued > 0)).toBe(true);
    const id = saved.sessionId!;
    const events = await expectComplete(page, site, id, after.s.ack + 1);
    expect(events.at(-1)!.type).toBe('snapshot');
    const session = (await (await fetch(`${site.url}/v1/sessions/${id}`)).json()) as { status: string };
    expect(session.status).toBe('ended');
    const bundle = (await (await fetch(`${site.url}/v1/sessions/${id}/bundle`)).json()) as Bundle;
    expect(await verifyChain(id, bundle.batches)).toBeNull();
    await page.close();
  });

  it('a page reload mid-session loses nothing queued, and the text comes back', async () => {
    const page = await browser.newPage();
    await page.route('**/v1/sessions/*/events', (route) => route.abort('internetdisconnected'));
    await attachRecorder(page, site, { server: '', storageKey: 'reload', batchMs: 1500 });
    await page.locator('#ed').click();
    await page.keyboard.type('Queued while offline.');
    // All of it sealed into IndexedDB (the route refuses to send it) before more is typed. On a busy
    // machine the first seal can come after a few keys, so wait for the whole line, not one batch.
    await expect.poll(async () => (await status(page)).queued, { timeout: 20_000, interval: 100 }).toBeGreaterThan(20);
    expect(await keptBatches(page)).toBeGreaterThan(0);
    await page.keyboard.type(' Tail'); // not sealed before the reload: spilled on pagehide
    const before = await status(page);
    await page.reload();
    const resumed = await attachRecorder(page, site, { server: '', storageKey: 'reload', batchMs: 150 });
    expect(resumed).toBe(true);
    expect(await page.locator('#ed').inputValue()).toBe('Queued while offline. Tail');
    await page.unroute('**/v1/sessions/*/events');
    await page.locator('#ed').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' after reload');
    await page.evaluate(() => (window as unknown as Win).rec.flush());
    const s = await waitSaved(page);
    expect(s.queued).toBe(0);
    const events = await expectComplete(page, site, s.sessionId!, s.ack + 1);
    expect(s.ack + 1).toBeGreaterThan(before.queued);
    expect(events.filter((e) => e.type === 'consent')).toHaveLength(1);
    await page.close();
  });

  it('a reload that resumes with the host’s rotated write token re-signs what was queued: nothing is refused or lost', async () => {
    const page = await browser.newPage();
    await page.route('**/v1/sessions/*/events', (route) => route.abort('internetdisconnected'));
    await attachRecorder(page, site, { server: '', storageKey: 'rotated', batchMs: 200 });
    await page.locator('#ed').click();
    await page.keyboard.type('Sealed with the first token.');
    await page.waitForFunction(() => (window as unknown as Win).rec.status.sessionId !== null, undefined, { timeout: 15_000 });
    // Batches sealed with the first token into IndexedDB (the route refuses to send them) before the reload.
    await expect.poll(() => keptBatches(page), { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    const id = (await status(page)).sessionId!;
    // What resuming an exam attempt does on the server: a new token, and the old one writes no more.
    const { app } = site.server;
    const newToken = await app.services.sessions.rotateWriteToken(app.services.database.db, { tenantId: null }, id);
    await page.reload();
    const resumed = await attachRecorder(page, site, { server: '', storageKey: 'rotated', batchMs: 150, session: { id, writeToken: newToken } });
    expect(resumed).toBe(true);
    await page.unroute('**/v1/sessions/*/events');
    await page.locator('#ed').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' And with the second.');
    await page.evaluate(() => (window as unknown as Win).rec.flush());
    const s = await waitSaved(page);
    const errors = await page.evaluate(() => (window as unknown as Win).errors.map((e) => e.code));
    expect(errors).not.toContain('rejected');
    const events = await expectComplete(page, site, id, s.ack + 1);
    expect(replayText(events)).toBe('Sealed with the first token. And with the second.');
    expect(events.filter((e) => e.type === 'consent')).toHaveLength(1);
    // The stored batches all carry MACs of the new token.
    const bundle = (await (await fetch(`${site.url}/v1/sessions/${id}/bundle`)).json()) as Bundle;
    expect(await verifyChain(id, bundle.batches, await macKeyFromToken(newToken))).toBeNull();
    await page.close();
  });

  it('streams over the WebSocket transport, host events included, with MACs the server checks', async () => {
    const page = await browser.newPage();
    await attachRecorder(page, site, { server: '', storageKey: 'ws', transport: 'websocket', batchMs: 100, kind: 'writing', keepBatches: true });
    await page.locator('#ed').click();
    await page.keyboard.type('over a socket');
    await page.evaluate(() => {
      const rec = (window as unknown as Win).rec;
      rec.emit('mark', { label: 'halfway' });
      rec.emit('metrics', { values: { engagement: 0.8, faceDetected: true }, source: 'host-webcam' });
      rec.emit('sensor', { kind: 'accel', samples: Array.from({ length: 1500 }, (_, i) => [i, 0, 0, 9.8]) });
      rec.emit('violation', { kind: 'no_face', confidence: 0.7 });
      // Wrong input is reported, never thrown into the page.
      rec.emit('text.op' as 'mark', { label: 'x' });
    });
    await page.evaluate(() => (window as unknown as Win).rec.flush());
    const s = await waitSaved(page);
    const events = await expectComplete(page, site, s.sessionId!, s.ack + 1);
    expect(events.filter((e) => e.type === 'sensor').map((e) => (e.type === 'sensor' ? e.data.samples.length : 0))).toEqual([1000, 500]);
    const errors = await page.evaluate(() => (window as unknown as Win).errors);
    expect(errors).toEqual([expect.objectContaining({ code: 'emit' })]);
    // keepBatches: the browser can export the same chain the server holds, MACs included.
    const bundle = await page.evaluate(() => (window as unknown as Win).rec.exportBundle());
    const token = await page.evaluate(async () => {
      const req = indexedDB.open('veritas-recorder');
      const db = await new Promise<IDBDatabase>((r) => (req.onsuccess = () => r(req.result)));
      const get = db.transaction('sessions').objectStore('sessions').get('ws');
      return new Promise<string>((r) => (get.onsuccess = () => r(get.result.writeToken)));
    });
    expect(bundle.batches.every((b) => typeof b.mac === 'string')).toBe(true);
    expect(await verifyChain(s.sessionId!, bundle.batches, await macKeyFromToken(token))).toBeNull();
    expect(eventsOf(bundle).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
    await page.close();
  });

  it('a client-only session, exported and uploaded to POST /v1/bundles, is accepted', async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/index.html`);
    await page.waitForFunction(() => (window as unknown as Win).veritasLoaded);
    await page.evaluate(async () => {
      const w = window as unknown as Win;
      w.rec = w.V.attach(document.getElementById('ed')!, { consent: { policy: 'local-only' }, storageKey: 'local', meta: { title: 'Offline essay' } });
      await w.rec.ready;
    });
    await page.locator('#ed').click();
    await page.keyboard.type('Nobody saw this on a server.');
    const { bundle, status, upload } = await page.evaluate(async () => {
      const w = window as unknown as Win;
      await w.rec.end();
      const bundle = await w.rec.exportBundle();
      const upload = await w.V.uploadBundle('', bundle);
      return { bundle, status: w.rec.status, upload };
    });
    expect(status).toMatchObject({ state: 'ended', mode: 'client-only', saved: true });
    expect(bundle.session.endedAt).toBeDefined();
    expect(bundle.batches.every((b) => b.mac === undefined)).toBe(true);
    expect(upload).toMatchObject({ id: bundle.session.id });
    const stored = await storedEvents(site, bundle.session.id);
    expect(stored).toEqual(eventsOf(bundle));
    expect(replayText(stored)).toBe('Nobody saw this on a server.');
    await page.close();
  });
});
