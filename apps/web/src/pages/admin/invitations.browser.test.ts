import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { NAVIGATION } from '../../app/navigation';
import { DEMO_PASSWORD, invite, startWebServer, type WebServer, fillSignIn, signedInPage } from '../../testing/real-server';

// Issue 10's two browser checks on the real server: an administrator invites a teacher through the
// Invitations page and the teacher joins with the link; a student cannot reach a teacher's or an
// administrator's page even by typing its address. Plus axe and the keyboard on the page.

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('invitations-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

describe('inviting a teacher', () => {
  it('an admin invites through the Invitations page; the teacher sets a password with the link, signs out, signs in again and sees the teacher navigation', async () => {
    const admin = await signedInPage(browser, web, '/admin/invitations', web.people.admin.email, DEMO_PASSWORD);
    await admin.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    await admin.getByText('No invitation is open.').waitFor();
    await admin.getByRole('textbox', { name: 'Email address' }).fill('tess@demo.veritas.test');
    await admin.getByRole('button', { name: /Role/ }).click();
    await admin.getByRole('option', { name: 'Teacher' }).click();
    await admin.getByRole('button', { name: 'Invite' }).click();
    const shown = admin.getByTestId('one-time-secret');
    await shown.waitFor();
    const link = await shown.inputValue();
    expect(link).toMatch(new RegExp(`^${web.url}/accept/[\\w-]+$`));
    expect(await admin.getByRole('main').textContent()).toContain('Pass this link on to tess@demo.veritas.test');
    await admin.getByRole('row', { name: /tess@demo\.veritas\.test/ }).waitFor();
    expect(await admin.getByRole('row', { name: /tess@demo\.veritas\.test/ }).textContent()).toContain('teacher');

    // The teacher, in a browser of their own.
    const context = await browser.newContext();
    const teacher = await context.newPage();
    await teacher.goto(link);
    await teacher.getByRole('heading', { name: 'Join Demo School' }).waitFor();
    await teacher.getByRole('textbox', { name: 'Your name' }).fill('Tess Teacher');
    await teacher.getByLabel('Password', { exact: true }).fill('tess-long-passphrase');
    await teacher.getByLabel('Repeat the password').fill('tess-long-passphrase');
    await teacher.getByRole('button', { name: 'Join and sign in' }).click();
    await teacher.waitForURL('**/classes');
    expect(await teacher.getByRole('banner').textContent()).toContain('Tess Teacher');
    await teacher.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => navLinks(teacher)).toEqual(NAVIGATION.anonymous.map((n) => n.label));
    await teacher.goto(`${web.url}/sign-in`);
    await fillSignIn(teacher, 'tess@demo.veritas.test', 'tess-long-passphrase');
    await teacher.waitForURL('**/classes');
    expect(await navLinks(teacher)).toEqual(NAVIGATION.teacher.map((n) => n.label));
    await context.close();

    // Accepted: no longer open.
    await admin.reload();
    await admin.getByText('No invitation is open.').waitFor();
    await admin.context().close();
  });
});

describe('a student and the pages of other roles', () => {
  it('typing the address of each teacher or admin page shows "Not allowed (403)", and no request to those routes succeeds', async () => {
    const page = await signedInPage(browser, web, '/my/sessions', web.people.student.email, DEMO_PASSWORD);
    const answered: string[] = [];
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (/^\/v1\/(admin|classes|sessions\b)/.test(path)) answered.push(`${r.status()} ${r.request().method()} ${path}`);
    });
    for (const to of [
      '/admin/users',
      '/admin/invitations',
      '/admin/classes',
      '/admin/api-keys',
      '/admin/audit',
      '/admin/institution',
      '/classes',
      '/sessions',
    ]) {
      await page.goto(web.url + to);
      await page.getByRole('heading', { name: 'Not allowed (403)' }).waitFor();
      expect(new URL(page.url()).pathname).toBe(to);
      expect(await page.getByRole('table').count(), to).toBe(0);
    }
    // The pages never asked: nothing reached the admin or class routes, so nothing was answered.
    expect(answered.filter((a) => a.includes('/v1/admin') || a.includes('/v1/classes'))).toEqual([]);
    expect(answered.filter((a) => /^2/.test(a) && !a.includes('GET /v1/sessions'))).toEqual([]);
    // And the server itself refuses a student there (the guard is not the only lock).
    const status = await page.evaluate(async () => {
      const refresh = await fetch('/v1/auth/refresh', {
        method: 'POST',
        headers: { 'X-CSRF-Token': /veritas_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '' },
      });
      const { accessToken } = (await refresh.json()) as { accessToken: string };
      const asked = await Promise.all(
        ['/v1/admin/users?limit=5', '/v1/admin/invitations', '/v1/admin/audit', '/v1/admin/api-keys', '/v1/admin/tenant'].map((u) =>
          fetch(u, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status),
        ),
      );
      return asked;
    });
    expect(status).toEqual([403, 403, 403, 403, 403]);
    await page.context().close();
  });
});

describe('the Invitations page', () => {
  it('passes axe empty, with the link shown and with open invitations; the revoke dialog works with the keyboard and focus returns', async () => {
    await invite(web, { email: 'kim@demo.veritas.test', role: 'student' });
    const page = await signedInPage(browser, web, '/admin/invitations', web.people.admin.email, DEMO_PASSWORD);
    const row = page.getByRole('row', { name: /kim@demo\.veritas\.test/ });
    await row.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Email address' }).fill('lee@demo.veritas.test');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByTestId('one-time-secret').waitFor();
    await page.getByRole('row', { name: /lee@demo\.veritas\.test/ }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    // Keyboard: the row's Revoke button opens the dialog; Escape closes it and focus comes back.
    const revoke = row.getByRole('button', { name: 'Revoke' });
    await revoke.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Revoke the invitation of kim@demo.veritas.test?' });
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => revoke.evaluate((b) => b === document.activeElement), { timeout: 10_000 }).toBe(true);
    expect(await row.count()).toBe(1);

    // Again, and confirmed with the keyboard: the invitation is gone, on the server too.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Revoke' }).focus();
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByRole('row', { name: /lee@demo\.veritas\.test/ }).waitFor();
    expect(await page.getByRole('row', { name: /kim@demo\.veritas\.test/ }).count()).toBe(0);
    await page.close();
  });
});
