import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VeritasEvent } from '@veritas/schema';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import { launchChromium } from '../../../../../scripts/test-support/chromium';

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veritas-write-'));
  await build({
    stdin: {
      contents: `import { createRoot } from 'react-dom/client'; import { WritePage } from './write-page'; createRoot(document.getElementById('root')).render(<WritePage />);`,
      loader: 'tsx',
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    },
    bundle: true,
    format: 'esm',
    jsx: 'automatic',
    outfile: join(dir, 'app.js'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="/app.js"></script></body></html>');
  server = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-write-data-')), webDist: dir, logLevel: 'silent' }));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('consent, writing with a recording indicator, Submit ends the session', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/write?title=Essay%20one`);
  await expect.poll(() => page.getByRole('dialog', { name: 'Consent' }).isVisible()).toBe(true);
  expect(await page.getByRole('status').textContent()).toBe('Not recording');
  expect(await page.getByLabel('Your text').isDisabled()).toBe(true);
  await page.getByRole('button', { name: /I agree/ }).click();
  await page.getByLabel('Your text').click();
  await page.keyboard.type('A place that changed me.');
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toMatch(/^Recording · \d+ events? queued$/);
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('Recording · all saved');
  await page.getByRole('button', { name: 'Submit' }).click();
  await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('Submitted');
  const href = await page.getByRole('link', { name: /replay/ }).getAttribute('href');
  const id = href!.split('/').pop()!;
  const session = (await (await fetch(`${server.url}/v1/sessions/${id}`)).json()) as { status: string; meta?: { title?: string } };
  expect(session).toMatchObject({ status: 'ended', meta: { title: 'Essay one' } });
  const events = ((await (await fetch(`${server.url}/v1/sessions/${id}/events?limit=5000`)).json()) as { items: VeritasEvent[] }).items;
  expect(events[0]).toMatchObject({ type: 'consent', data: { policy: 'veritas-writing-v1', accepted: true } });
  const typed = events.flatMap((e) => (e.type === 'text.op' ? [e.data.ins] : [])).join('');
  expect(typed).toBe('A place that changed me.');
  await page.close();
});
