import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations, newA11yPage } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, startWebServer, type WebServer } from '../../testing/real-server';

// The institution page on the real server: an administrator renames the institution and refuses
// host-page signals (the server then says so), and an unreachable identity provider is refused
// with a message, not saved.

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('institution-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('the institution page', () => {
  it('saves the name and the host-signal choice, refuses an unreachable provider, and passes axe', async () => {
    const page = await newA11yPage(browser, { viewport: { width: 1100, height: 900 } });
    await page.goto(`${web.url}/sign-in?next=${encodeURIComponent('/admin/institution')}`);
    await page.getByRole('textbox', { name: 'Email address' }).fill(web.people.admin.email);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/admin/institution');
    await page.getByRole('heading', { name: 'Institution', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Save single sign-on' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Name' }).fill('Demo School (renamed)');
    await page.getByRole('button', { name: /Signals the host page reports/ }).click();
    await page.getByRole('option', { name: /Refuse them/ }).click();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const token = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
    const tenant = await (await fetch(`${web.url}/v1/admin/tenant`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(tenant).toMatchObject({ name: 'Demo School (renamed)', hostSignals: 'refuse' });

    // Port 1 on loopback answers nothing: the server checks the issuer before saving, and says why it did not.
    await page.getByRole('textbox', { name: 'Issuer' }).fill('http://127.0.0.1:1');
    await page.getByRole('textbox', { name: 'Client id' }).fill('veritas');
    await page.getByRole('textbox', { name: 'Client id' }).press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    const sso = await (await fetch(`${web.url}/v1/admin/sso`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(sso).toMatchObject({ configured: false });
    expect(await a11yViolations(page)).toEqual([]);
    await page.context().close();
  });
});
