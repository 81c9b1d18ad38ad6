import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { loadConfig } from '../../config/config';
import { startServer, type RunningServer } from '../../roles/server';
import { buildSdkInto, readmeEmbedSnippet } from './sdk-build';

/**
 * The README's embed snippet, run as written (only `https://YOUR-VERITAS-SERVER` replaced) in
 * Chromium: the host page on http://127.0.0.1:A, Veritas on http://localhost:B, the recorder loaded
 * from Veritas's /sdk with the snippet's SRI hash.
 */
let browser: Browser;
let veritas: RunningServer;
let host: Server;
let pageUrl: string;
let api: string;
let html = '';

beforeAll(async () => {
  host = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  const address = host.address();
  pageUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const sdk = buildSdkInto();
  veritas = await startServer(
    loadConfig(
      {},
      { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-embed-')), logLevel: 'silent', sdkDir: sdk.dir, corsOrigins: [pageUrl] },
    ),
  );
  api = `http://localhost:${new URL(veritas.url).port}`;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await veritas?.close();
  await new Promise((r) => host?.close(r));
});

const asWritten = (snippet: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>Partner</title></head><body>${snippet.replaceAll('https://YOUR-VERITAS-SERVER', api)}</body></html>`;

interface Ev {
  seq: number;
  type: string;
  data: { pos: number; del: number; ins: string; text?: string };
}
/** The text the stored events rebuild: the first snapshot's, then every text op. */
function rebuilt(events: Ev[]): string {
  let text = events.find((e) => e.type === 'snapshot')?.data.text ?? '';
  for (const e of events) if (e.type === 'text.op') text = text.slice(0, e.data.pos) + e.data.ins + text.slice(e.data.pos + e.data.del);
  return text;
}

describe("the README's embed snippet in Chromium, on another origin than Veritas", () => {
  it('loads the pinned recorder and records a session', async () => {
    html = asWritten(readmeEmbedSnippet());
    const page = await browser.newPage();
    const warnings: string[] = [];
    page.on('console', (m) => warnings.push(m.text()));
    await page.goto(pageUrl);
    expect(new URL(page.url()).origin).not.toBe(new URL(api).origin);
    const created = page.waitForResponse((r) => r.url() === `${api}/v1/sessions` && r.request().method() === 'POST');
    await page.locator('#agree').click();
    const answer = await created;
    expect(answer.status()).toBe(201);
    const { id } = (await answer.json()) as { id: string };
    await page.locator('#agree').waitFor({ state: 'hidden' });
    const typed = 'Embedded as the README says.';
    await page.locator('#essay').click();
    await page.keyboard.type(typed);
    await expect
      .poll(
        async () => {
          const r = await fetch(`${veritas.url}/v1/sessions/${id}/events?limit=5000`);
          return rebuilt(((await r.json()) as { items: Ev[] }).items);
        },
        { timeout: 30_000 },
      )
      .toBe(typed);
    await expect.poll(() => page.locator('#veritas-status').textContent()).toMatch(/all saved/);
    const events = ((await (await fetch(`${veritas.url}/v1/sessions/${id}/events?limit=5000`)).json()) as { items: Ev[] }).items;
    expect(events.map((e) => e.seq)).toEqual([...events.keys()]);
    expect(warnings.filter((w) => /veritas/.test(w))).toEqual([]);
    await page.close();
  });

  it('refuses to run a recorder whose hash is not the one pinned', async () => {
    const snippet = readmeEmbedSnippet();
    const pinned = /"(sha384-[A-Za-z0-9+/=]+)"/.exec(snippet)![1]!;
    html = asWritten(snippet.replace(pinned, `sha384-${Buffer.alloc(48, 7).toString('base64')}`));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    let creations = 0;
    page.on('request', (r) => {
      if (r.url() === `${api}/v1/sessions`) creations++;
    });
    await page.goto(pageUrl);
    await expect.poll(() => errors.some((e) => /integrity/i.test(e)), { timeout: 30_000 }).toBe(true);
    await page.locator('#agree').click();
    expect(await page.locator('#veritas-status').textContent()).toBe('');
    expect(creations).toBe(0);
    await page.close();
  });
});
