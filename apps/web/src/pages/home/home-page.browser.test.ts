import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, toBundle } from '@veritas/simulator';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { buildWeb } from '../../testing/browser-harness';

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  const web = mkdtempSync(join(tmpdir(), 'veritas-home-web-'));
  await buildWeb(web);
  server = await startServer(
    loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-home-data-')), webDist: web, logLevel: 'silent' }),
  );
  const scope = { tenantId: null };
  for (const [kind, seed] of [
    ['genuine', 1],
    ['paste', 3],
  ] as const) {
    const bundle = await toBundle(simulate(kind, seed));
    bundle.session.meta = { title: `Demo ${kind}` };
    await server.app.services.bundles.import(scope, bundle, { source: 'demo' });
  }
  // An upload is not published: its id is a read capability and must not show on the home page.
  const upload = await toBundle(simulate('genuine', 2));
  upload.session.meta = { title: 'Private upload' };
  await server.app.services.bundles.import(scope, upload);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('lists the demo sessions with the risk their analysis found in one request, and links each to its replay', async () => {
  const page = await browser.newPage();
  const apiCalls: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/v1/')) apiCalls.push(path);
  });
  await page.goto(`${server.url}/`);
  const row = (title: string) => page.getByRole('row').filter({ hasText: title });
  await expect.poll(() => row('Demo paste').textContent(), { timeout: 30_000 }).toMatch(/high risk · integrity 0\.\d\d · \d+ flags/);
  await expect.poll(() => row('Demo genuine').textContent(), { timeout: 30_000 }).toMatch(/low risk · integrity 1\.00 · 0 flags/);
  // The list and its analyses came from GET /v1/sessions alone (asked again only while analyses ran).
  expect(apiCalls.length).toBeGreaterThan(0);
  expect(new Set(apiCalls)).toEqual(new Set(['/v1/sessions']));
  expect(await page.getByRole('row').count()).toBe(3);
  expect(await page.getByText('Private upload').count()).toBe(0);
  await row('Demo paste').getByRole('link').click();
  await expect.poll(() => page.locator('[data-testid=flags-source]').textContent(), { timeout: 15_000 }).toMatch(/flags? from the stored analysis/);
  expect(new URL(page.url()).pathname).toMatch(/^\/replay\/sim_paste_/);
  await page.close();
});
