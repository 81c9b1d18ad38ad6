import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { startWebServer, type WebServer, signedInPage } from '../../testing/real-server';

// The API keys page on the real server: an administrator creates a key (shown once), the key
// works, it is listed by its prefix, and revoking it (confirmed in a dialog) makes the server refuse it.

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('api-keys-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const statusWith = (key: string) => fetch(`${web.url}/v1/sessions`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);

describe('the API keys page', () => {
  it('creates a key with the keyboard (shown once, it works, listed by prefix), passes axe, and revokes it after confirming: the server then refuses it', async () => {
    const page = await signedInPage(browser, web, '/admin/api-keys', web.people.admin.email);
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByText('No API key yet.').waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    // Keyboard: open the dialog, type a name, leave the default scopes, Enter sends.
    const open = page.getByRole('button', { name: 'Create an API key' });
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);
    // Nothing chosen: refused in the dialog, nothing sent.
    for (const s of ['sessions:write', 'sessions:read']) await dialog.getByRole('checkbox', { name: new RegExp(s) }).uncheck();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Partner LMS');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose at least one scope.' }).waitFor();
    await dialog.getByRole('checkbox', { name: /sessions:read/ }).focus();
    await page.keyboard.press('Space');
    await dialog.getByRole('textbox', { name: 'Name' }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });

    const shown = page.getByTestId('one-time-secret');
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^vk_/);
    const row = page.getByRole('row', { name: /Partner LMS/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(`vk_${key.slice(3, 11)}`);
    expect(await row.textContent()).toContain('sessions:read');
    expect(await row.textContent()).not.toContain('sessions:write');
    expect(await statusWith(key)).toBe(200);
    expect(await a11yViolations(page)).toEqual([]);

    // Shown once: gone after a reload, still listed.
    await page.reload();
    await row.waitFor();
    expect(await page.getByTestId('one-time-secret').count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    // Revoke: Escape keeps it and focus returns; confirming revokes it.
    const revoke = row.getByRole('button', { name: 'Revoke' });
    await revoke.focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Revoke the API key Partner LMS?' });
    await confirm.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => revoke.evaluate((b) => b === document.activeElement), { timeout: 10_000 }).toBe(true);
    expect(await statusWith(key)).toBe(200);
    await page.keyboard.press('Enter');
    await confirm.getByRole('button', { name: 'Revoke' }).focus();
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(async () => row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await row.textContent()).not.toMatch(/\bNo\b/);
    expect(await statusWith(key)).toBe(401);
    await page.context().close();
  });
});
