import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

it('runs a page in Debian Chromium', async () => {
  const page = await browser.newPage();
  await page.setContent('<textarea id="t"></textarea>');
  await page.locator('#t').pressSequentially('hello');
  expect(await page.locator('#t').inputValue()).toBe('hello');
});
