import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { invite, startWebServer, type WebServer, signedInPage } from '../../testing/real-server';
import { AUDIT_PAGE_SIZE } from './audit-page-size';

// The audit log page on the real server: invitations made through the API are listed, a filter by
// action narrows the table, and "Older" pages back by the cursor with no entry shown twice.

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('audit-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const bodyRows = (page: Page) => page.getByRole('table').locator('tbody tr');

describe('the Audit log page', () => {
  it('filters by action and pages back with "Older" (no entry twice), and passes axe', async () => {
    const count = AUDIT_PAGE_SIZE + 3;
    for (let i = 0; i < count; i++) await invite(web, { email: `a${i}@demo.veritas.test`, role: 'student' });
    const page = await signedInPage(browser, web, '/admin/audit', web.people.admin.email);
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page
      .getByRole('row', { name: /user\.invite/ })
      .first()
      .waitFor();
    expect(await bodyRows(page).count()).toBe(AUDIT_PAGE_SIZE);
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Action' }).fill('user.invite');
    await page.getByRole('textbox', { name: 'Action' }).press('Enter');
    const first = page.getByRole('button', { name: 'Older' });
    await first.waitFor();
    await expect.poll(async () => (await bodyRows(page).allTextContents()).every((t) => t.includes('user.invite'))).toBe(true);
    const page1 = await bodyRows(page).allTextContents();
    expect(page1).toHaveLength(AUDIT_PAGE_SIZE);
    await first.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => bodyRows(page).count()).toBe(3);
    const page2 = await bodyRows(page).allTextContents();
    expect(page2.every((t) => t.includes('user.invite'))).toBe(true);
    expect(await page.getByRole('button', { name: 'Older' }).count()).toBe(0);
    expect(new Set([...page1, ...page2]).size).toBe(count);
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Newer' }).click();
    await expect.poll(() => bodyRows(page).count()).toBe(AUDIT_PAGE_SIZE);

    // A filter nothing matches says so.
    await page.getByRole('textbox', { name: 'Action' }).fill('no.such-action');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No entry matches.').waitFor();
    await page.context().close();
  });
});
