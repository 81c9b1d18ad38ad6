import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, toBundle } from '@veritas/simulator';
import { loadConfig, startServer, type RunningServer } from '@veritas/server';
import { launchChromium } from '../../../../scripts/test-support/chromium';
import { a11yViolations, buildWeb, newA11yPage } from '../testing/browser-harness';

// The app on the real server: every page passes axe, the keyboard reaches everything, and guarded
// pages send a signed-out visitor to /sign-in. (Signed-in pages: auth/sign-in.browser.test.ts and
// pages/admin/*.browser.test.ts, on the real server too.)

let dir: string;
let server: RunningServer;
let browser: Browser;
let sessionId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-app-web-'));
  await buildWeb(join(dir, 'dist'));
  server = await startServer(loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), webDist: join(dir, 'dist'), logLevel: 'silent' }));
  const bundle = await toBundle(simulate('paste', 3));
  bundle.session.meta = { title: 'Demo paste' };
  await server.app.services.bundles.import({ tenantId: null }, bundle, { source: 'demo' });
  sessionId = bundle.session.id;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const path = (page: Page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

describe('accessibility (axe-core, WCAG 2.1 A and AA)', () => {
  const pages: [string, string, (page: Page) => Promise<unknown>][] = [
    ['home', '/', (p) => p.getByRole('row', { name: /Demo paste/ }).waitFor()],
    ['write (consent)', '/write', (p) => p.getByRole('dialog', { name: 'Consent' }).waitFor()],
    ['replay of a stored session', `/replay/SESSION`, (p) => p.locator('[data-testid=replay-text]').waitFor({ timeout: 30_000 })],
    ['replay (drop zone)', '/replay', (p) => p.locator('[data-testid=bundle-input]').waitFor({ state: 'attached' })],
    ['sign-in', '/sign-in', (p) => p.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor()],
    ['accept, with a link the server does not know', '/accept/no-such-link', (p) => p.getByRole('alert').waitFor()],
    ['profile, signed out (redirected to sign-in)', '/profile', (p) => p.waitForURL(/\/sign-in\?next=%2Fprofile$/)],
    ['a page that does not exist', '/no/such/page', (p) => p.getByRole('heading', { name: /Page not found/ }).waitFor()],
  ];
  it.each(pages)('%s has no violations', async (_name, url, ready) => {
    const page = await newA11yPage(browser, { viewport: { width: 1100, height: 900 } });
    await page.goto(server.url + url.replace('SESSION', sessionId));
    await ready(page);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe('keyboard and landmarks', () => {
  it('the first Tab reaches the skip link, which moves focus to <main>; the next Tab is inside the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to main content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
    await page.close();
  });

  it('the sign-in form is filled and sent with the keyboard alone; its errors are tied to their fields', async () => {
    const page = await browser.newPage();
    const sent: { url: string; body: unknown }[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') sent.push({ url: new URL(r.url()).pathname, body: r.postDataJSON() });
    });
    await page.goto(`${server.url}/sign-in`);
    const email = page.getByRole('textbox', { name: 'Email address' });
    await email.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter'); // the skip link
    await page.keyboard.press('Tab');
    await expect.poll(() => email.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);

    // Sent empty: the browser's checks stop it, each message is read with its field, focus goes to the first.
    await page.keyboard.press('Tab'); // password
    await page.keyboard.press('Tab'); // Sign in
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sign in');
    await page.keyboard.press('Enter');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => email.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    const describedBy = (await email.getAttribute('aria-describedby'))!.split(' ');
    const errorText = await page.evaluate((ids) => ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' '), describedBy);
    expect(errorText.length).toBeGreaterThan(0);
    expect(sent).toEqual([]);

    await page.keyboard.type('ada@example.edu');
    await page.keyboard.press('Tab');
    await page.keyboard.type('correct horse battery staple');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // No such person on this server: the form says so, in an alert, without telling which field was wrong.
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/email address or the password/i);
    expect(sent).toEqual([{ url: '/v1/auth/login', body: { email: 'ada@example.edu', password: 'correct horse battery staple' } }]);
    await page.close();
  });
});

describe('guards', () => {
  it.each(['/profile', '/admin/users', '/admin/audit', '/classes', '/sessions', '/my/sessions'].map((u) => [u, u]))(
    'signed out, %s sends the visitor to /sign-in?next=%s, rendering nothing of the page',
    async (url) => {
      const page = await browser.newPage();
      const seen: string[] = [];
      await page.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { headings: string[] }).headings = seen;
        new MutationObserver(() => document.querySelectorAll('h1').forEach((h) => seen.push(h.textContent ?? ''))).observe(document, {
          subtree: true,
          childList: true,
        });
      });
      await page.goto(server.url + url);
      await page.waitForURL(`**/sign-in?next=${encodeURIComponent(url)}`);
      expect(path(page)).toBe(`/sign-in?next=${encodeURIComponent(url)}`);
      await page.getByText('Sign in to open that page.').waitFor();
      seen.push(...(await page.evaluate(() => (window as unknown as { headings: string[] }).headings)));
      // Nothing of the guarded page was rendered on the way.
      expect(new Set(seen)).toEqual(new Set(['Sign in']));
      // The navigation is the visitor's.
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(['Home', 'Write', 'Sign in']);
      await page.close();
    },
  );

  it('keeps the old addresses working: a share token on /replay/:id goes with the session’s requests; the SSO form is offered', async () => {
    const page = await browser.newPage();
    const shared: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith(`/v1/sessions/${sessionId}`)) shared.push(r.headers()['x-veritas-share']);
    });
    await page.goto(`${server.url}/replay/${sessionId}?share=tok_abc`);
    await page.locator('[data-testid=replay-text]').waitFor({ timeout: 30_000 });
    expect(shared.length).toBeGreaterThanOrEqual(3);
    expect(new Set(shared)).toEqual(new Set(['tok_abc']));
    await page.goto(`${server.url}/sign-in`);
    const sso = page.getByRole('region', { name: 'Sign in with your institution (SSO)' });
    await sso.waitFor();
    expect(await sso.getByRole('textbox', { name: 'Institution short name' }).count()).toBe(1);
    expect(await sso.getByRole('button', { name: 'Continue to your institution' }).count()).toBe(1);
    await page.close();
  });
});
