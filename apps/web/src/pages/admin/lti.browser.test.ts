import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { startWebServer, type WebServer, signedInPage } from '../../testing/real-server';

// The LMS (LTI 1.3) page on the real server: Veritas's URLs ready to paste, an LMS registered with the
// keyboard alone (its own login-initiation URL shown), a refused registration said in the dialog, and
// the registration removed; axe at each step.

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('lti-web');
  browser = await launchChromium();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('the LMS (LTI 1.3) page', () => {
  it('shows the launch and JWKS URLs, registers an LMS with the keyboard, says a refusal, removes it; passes axe', async () => {
    const page = await signedInPage(browser, web, '/admin/lti', web.people.admin.email);
    await page.getByRole('heading', { name: 'LMS (LTI 1.3)', level: 1 }).waitFor();
    await page.getByText('No LMS registered yet.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Launch (redirect) URL' }).inputValue()).toBe(`${web.url}/v1/lti/launch`);
    expect(await page.getByRole('textbox', { name: 'Public keyset (JWKS) URL' }).inputValue()).toBe(`${web.url}/v1/lti/jwks`);
    expect(await a11yViolations(page)).toEqual([]);

    // Keyboard only: open the dialog, fill each field in turn, send.
    await page.getByRole('button', { name: 'Register an LMS' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Register an LMS' });
    await dialog.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    const values = [
      'Moodle',
      'https://moodle.school.test',
      'veritas-tool',
      'deployment-1\ndeployment-2',
      'https://moodle.school.test/mod/lti/certs.php',
      'https://moodle.school.test/mod/lti/auth.php',
      'javascript:alert(1)',
    ];
    await dialog.getByRole('textbox', { name: 'Name' }).focus();
    for (const [i, v] of values.entries()) {
      await page.keyboard.insertText(v);
      if (i < values.length - 1) await page.keyboard.press('Tab');
    }
    await dialog.getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    // The browser's own check refuses a token endpoint that is not a URL… and the server refuses a non-https one.
    const token = dialog.getByRole('textbox', { name: 'Token endpoint' });
    await token.fill('http://moodle.school.test/mod/lti/token.php');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog
      .getByRole('alert')
      .filter({ hasText: /Not saved: .*tokenEndpoint/ })
      .waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await token.fill('https://moodle.school.test/mod/lti/token.php');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const card = page.getByRole('article', { name: 'Moodle' });
    await card.waitFor();
    const login = await card.getByRole('textbox', { name: 'Login initiation URL for Moodle' }).inputValue();
    expect(login).toMatch(new RegExp(`^${web.url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/v1/lti/[0-9a-f-]{36}/login$`));
    expect(await card.textContent()).toContain('deployment-1, deployment-2');
    expect(await card.textContent()).toContain('https://moodle.school.test');
    expect(await a11yViolations(page)).toEqual([]);
    // The login URL answers as the LMS will call it.
    const q = new URLSearchParams({ iss: 'https://moodle.school.test', login_hint: 'h', target_link_uri: `${web.url}/v1/lti/launch` });
    const started = await fetch(`${login}?${q}`, { redirect: 'manual' });
    expect(started.status).toBe(302);
    expect(started.headers.get('location')).toMatch(/^https:\/\/moodle\.school\.test\/mod\/lti\/auth\.php\?/);

    await card.getByRole('button', { name: 'Remove Moodle' }).click();
    await page.getByRole('dialog', { name: 'Remove Moodle?' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No LMS registered yet.').waitFor();
  });
});
