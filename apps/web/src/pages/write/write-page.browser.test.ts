import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBundle, type VeritasEvent } from '@veritas/schema';
import { buildReplayIndexFromBundle } from '@veritas/replay';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { buildWeb } from '../../testing/browser-harness';

let browser: Browser;
let server: RunningServer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'veritas-write-'));
  await buildWeb(dir);
  server = await startServer(
    loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: mkdtempSync(join(tmpdir(), 'veritas-write-data-')), webDist: dir, logLevel: 'silent' }),
  );
  browser = await launchChromium();
}, 120_000);
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
  // Revisions as writers make them: back into the text, a word deleted, a selection replaced.
  await page.keyboard.press('Home');
  await page.keyboard.type('Once, ');
  await page.keyboard.press('End');
  await page.keyboard.press('Control+Backspace');
  await page.keyboard.type('us all.');
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.type('!');
  const editorValue = await page.getByLabel('Your text').inputValue();
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
  expect(events.some((e) => e.type === 'text.op' && e.data.del > 0)).toBe(true);
  // The recorded session replays to exactly the editor's final value (issue 5: recorder → replay).
  const parsed = parseBundle(await (await fetch(`${server.url}/v1/sessions/${id}/bundle`)).json());
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  const index = buildReplayIndexFromBundle(parsed.bundle);
  expect(editorValue).toMatch(/^Once, A place that changed /);
  expect(index.finalText()).toBe(editorValue);
  await page.close();
});
