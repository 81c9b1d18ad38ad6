import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../scripts/test-support/chromium';
import { a11yViolations, buildWeb, newA11yPage, serveStatic } from '../testing/browser-harness';
import { contractAuthApi, type FakePerson } from '../testing/contract-auth';

// Signing in, out and back, guards by role, and the refresh of an expired access token, in Chromium
// against the sign-in contract of issue 10 (testing/contract-auth.ts). The routes are being built on
// other branches; when they land, these tests move to the real server.

const PEOPLE: FakePerson[] = [
  { id: 'usr_ada', email: 'ada@example.edu', password: 'ada-secret-passphrase', displayName: 'Ada Admin', role: 'admin' },
  { id: 'usr_sam', email: 'sam@example.edu', password: 'sam-secret-passphrase', displayName: 'Sam Student', role: 'student' },
  { id: 'usr_tia', email: 'tia@example.edu', password: 'tia-secret-passphrase', displayName: 'Tia Teacher', role: 'teacher' },
  { id: 'usr_olu', email: 'olu@example.edu', password: 'olu-secret-passphrase', displayName: 'Olu Observer', role: 'observer' },
  { id: 'usr_pat', email: 'pat@example.edu', password: 'pat-secret-passphrase', displayName: 'Pat Student', role: 'student' },
  { id: 'usr_sso', email: 'sso@example.edu', password: 'unused', displayName: 'Sol Student', role: 'student', authMethod: 'oidc' },
];

let dir: string;
let server: Server;
let url: string;
let browser: Browser;
const fake = contractAuthApi(PEOPLE, {
  'invite-1': { kind: 'invitation', email: 'new@example.edu', role: 'teacher' },
  'reset-1': { kind: 'password-reset', email: 'pat@example.edu', role: 'student' },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-sign-in-web-'));
  await buildWeb(join(dir, 'dist'));
  ({ url, server } = await serveStatic(join(dir, 'dist'), { ...fake.routes, '/v1/sessions': { items: [], next: null } }));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
const pathOf = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search;
const callsSince = (from: number) => fake.log.slice(from);

async function signIn(page: Page, email: string, password: string) {
  await page.getByRole('textbox', { name: 'Email address' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Records every <h1> text the page ever showed, however briefly. */
async function recordHeadings(page: Page) {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { headings: string[] }).headings = seen;
    new MutationObserver(() => document.querySelectorAll('h1').forEach((h) => seen.push(h.textContent ?? ''))).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  return () => page.evaluate(() => [...new Set((window as unknown as { headings: string[] }).headings)]);
}

describe('signing in', () => {
  it.each([
    {
      email: 'ada@example.edu',
      password: 'ada-secret-passphrase',
      start: '/admin/users',
      nav: ['Users', 'Invitations', 'Classes', 'API keys', 'Audit log', 'Institution'],
    },
    { email: 'tia@example.edu', password: 'tia-secret-passphrase', start: '/classes', nav: ['Classes', 'Sessions'] },
    { email: 'olu@example.edu', password: 'olu-secret-passphrase', start: '/sessions', nav: ['Sessions'] },
    { email: 'sam@example.edu', password: 'sam-secret-passphrase', start: '/my/sessions', nav: ['My sessions', 'Profile'] },
  ])('$email lands on $start with the navigation of the role', async ({ email, password, start, nav }) => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in`);
    await expect.poll(() => navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    const from = fake.log.length;
    await signIn(page, email, password);
    await page.waitForURL(`**${start}`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await navLinks(page)).toEqual(nav);
    const person = PEOPLE.find((p) => p.email === email)!;
    expect(await page.getByRole('banner').textContent()).toContain(person.displayName);
    // The login went without a bearer; /v1/me with the token it answered, from memory (nothing in storage).
    const calls = callsSince(from);
    expect(calls.map((c) => c.call)).toEqual(['POST /v1/auth/login', 'GET /v1/me']);
    expect(calls[0]).toMatchObject({ body: { email, password } });
    expect(calls[0]!.authorization).toBeUndefined();
    expect(calls[1]!.authorization).toMatch(/^Bearer access-\d+$/);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain('access-');
    await page.close();
  });

  it('says a wrong password in an alert and on the password field, tied to it; nothing else is marked', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in`);
    await signIn(page, 'sam@example.edu', 'not the password');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The email address or the password is wrong.');
    const password = page.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const described = await password.evaluate((el) =>
      (el.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent)
        .join(' '),
    );
    expect(described).toContain('The email address or the password is wrong.');
    expect(await page.getByRole('textbox', { name: 'Email address' }).getAttribute('aria-invalid')).toBeNull();
    expect(pathOf(page)).toBe('/sign-in');
    await page.close();
  });

  it('goes back to the page that asked for a sign-in, and never to another site', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/profile`);
    await page.waitForURL('**/sign-in?next=%2Fprofile');
    await signIn(page, 'tia@example.edu', 'tia-secret-passphrase');
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(pathOf(page)).toBe('/profile');
    await page.close();

    const other = await browser.newPage();
    await other.goto(`${url}/sign-in?next=${encodeURIComponent('//evil.example/x')}`);
    await signIn(other, 'tia@example.edu', 'tia-secret-passphrase');
    await other.waitForURL(`${url}/classes`);
    await other.close();
  });
});

describe('guards by role', () => {
  it('a student typing /admin/users gets "Not allowed (403)", never the page; the sign-in is restored from the refresh cookie', async () => {
    const page = await newA11yPage(browser);
    await page.goto(`${url}/sign-in`);
    await signIn(page, 'sam@example.edu', 'sam-secret-passphrase');
    await page.waitForURL('**/my/sessions');
    const headings = await recordHeadings(page);
    const from = fake.log.length;
    await page.goto(`${url}/admin/users`); // a new page load: the token in memory is gone
    await page.getByRole('heading', { name: 'Not allowed (403)' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain(
      'This page is for administrators. You are signed in as Sam Student, student at Example University',
    );
    expect(await headings()).toEqual(['Not allowed (403)']);
    expect(pathOf(page)).toBe('/admin/users');
    // Restored: one refresh, its CSRF header equal to the readable cookie, then /v1/me.
    const calls = callsSince(from);
    expect(calls.map((c) => c.call)).toEqual(['POST /v1/auth/refresh', 'GET /v1/me']);
    expect(calls[0]!.csrf).toBeDefined();
    expect(calls[0]!.csrf).toBe(calls[0]!.csrfCookie);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });

  const NOT_ALLOWED = 'Not allowed (403)';
  it.each([
    [
      'teacher',
      'tia@example.edu',
      'tia-secret-passphrase',
      ['/admin/users', '/my/sessions'],
      { '/classes': 'Classes', '/sessions': 'Sessions', '/profile': 'Your profile' },
    ],
    [
      'observer',
      'olu@example.edu',
      'olu-secret-passphrase',
      ['/admin/audit', '/classes', '/my/sessions'],
      { '/sessions': 'Sessions', '/profile': 'Your profile' },
    ],
    ['admin', 'ada@example.edu', 'ada-secret-passphrase', ['/classes', '/my/sessions'], { '/admin/users': 'Users', '/admin/institution': 'Institution' }],
  ])('an %s is refused where the role does not fit and let in where it does', async (_role, email, password, refused, allowed) => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in`);
    await signIn(page, email, password);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // Moving inside the app (no reload): the guard decides on the sign-in held in memory.
    const visits = [...refused.map((to) => [to, NOT_ALLOWED]), ...Object.entries(allowed)];
    for (const [to, title] of visits) {
      await page.evaluate((to) => {
        window.history.pushState(null, '', to);
        window.dispatchEvent(new PopStateEvent('popstate'));
      }, to!);
      await expect.poll(() => page.locator('h1').textContent(), { message: to }).toBe(title);
    }
    await page.close();
  });
});

describe('the access token', () => {
  it('once expired, is refreshed once (CSRF header = cookie) and the request retried; a refused refresh signs the person out', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/profile`);
    await signIn(page, 'pat@example.edu', 'pat-secret-passphrase');
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    fake.expireAccessTokens();
    const from = fake.log.length;
    await page.getByRole('textbox', { name: 'Display name' }).fill('Pat P. Student');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Your name is saved.');
    expect(await page.getByRole('banner').textContent()).toContain('Pat P. Student');
    const calls = callsSince(from);
    expect(calls.map((c) => c.call)).toEqual(['PATCH /v1/me', 'POST /v1/auth/refresh', 'PATCH /v1/me']);
    expect(calls[1]!.csrf).toBe(calls[1]!.csrfCookie);
    expect(calls[1]!.authorization).toBeUndefined();
    expect(calls[2]!.authorization).not.toBe(calls[0]!.authorization);
    expect(calls[2]!.body).toEqual({ displayName: 'Pat P. Student' });

    // The sign-in is revoked on the server: the refresh is refused, the person is signed out here too.
    fake.expireAccessTokens();
    fake.revokeRefreshTokens();
    const again = fake.log.length;
    await page.getByRole('button', { name: 'Save the name' }).click();
    await page.waitForURL('**/sign-in?next=%2Fprofile');
    expect(callsSince(again).map((c) => c.call)).toEqual(['PATCH /v1/me', 'POST /v1/auth/refresh']);
    expect(await navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    await page.close();
  });

  it('two requests that find it expired at once share one refresh, and each is retried once', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in?next=%2Fprofile`);
    await signIn(page, 'tia@example.edu', 'tia-secret-passphrase');
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    await page.getByLabel('Current password').fill('wrong');
    await page.getByLabel('New password', { exact: true }).fill('tia-other-passphrase');
    await page.getByLabel('Repeat the new password').fill('tia-other-passphrase');
    fake.expireAccessTokens();
    fake.slow(400); // both PATCHes are answered while the other is in flight, and both 401s while the refresh is
    const from = fake.log.length;
    try {
      // Both forms sent in the same task (two pointers cannot click at once).
      await page.evaluate(() => document.querySelectorAll('main form').forEach((f) => (f as HTMLFormElement).requestSubmit()));
      await expect.poll(() => page.getByText('Your name is saved.').count(), { timeout: 10_000 }).toBe(1);
      await expect.poll(() => page.getByText('Not changed: the current password is wrong.').count(), { timeout: 10_000 }).toBe(1);
    } finally {
      fake.slow(0);
    }
    const calls = callsSince(from).map((c) => `${c.call} ${c.authorization ?? ''}`.trim());
    expect(calls.filter((c) => c === 'POST /v1/auth/refresh')).toHaveLength(1);
    const patches = calls.filter((c) => c.startsWith('PATCH'));
    expect(patches).toHaveLength(4);
    // Both first tries went with the old token, both retries with the one the single refresh gave.
    expect(new Set(patches.slice(0, 2)).size).toBe(1);
    expect(new Set(patches.slice(2)).size).toBe(1);
    expect(patches[2]).not.toBe(patches[0]);
    await page.close();
  });

  it('signing out ends the sign-in on the server (with the CSRF header) and here; a reload stays signed out', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in`);
    await signIn(page, 'olu@example.edu', 'olu-secret-passphrase');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const from = fake.log.length;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    expect(pathOf(page)).toBe('/');
    const calls = callsSince(from);
    expect(calls.map((c) => c.call)).toEqual(['POST /v1/auth/logout']);
    expect(calls[0]!.csrf).toBe(calls[0]!.csrfCookie);
    expect(calls[0]!.authorization).toMatch(/^Bearer /);
    const reload = fake.log.length;
    await page.reload();
    await page.getByRole('heading', { name: 'Veritas' }).waitFor();
    expect(await navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    // No cookie left, so nothing to refresh: no request at all.
    expect(callsSince(reload)).toEqual([]);
    await page.close();
  });
});

describe('invitation and reset links', () => {
  it('an invitation shows the email and institution, checks the two passwords, asks a name, and signs the new person in', async () => {
    const page = await newA11yPage(browser);
    await page.goto(`${url}/accept/invite-1`);
    await page.getByRole('heading', { name: 'Join Example University' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('new@example.edu');
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Your name' }).fill('Nia New');
    await page.getByLabel('Password', { exact: true }).fill('a new long passphrase');
    await page.getByLabel('Repeat the password').fill('a different passphrase');
    await page.getByRole('button', { name: 'Join and sign in' }).click();
    const repeat = page.getByLabel('Repeat the password');
    await expect.poll(() => repeat.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('The two passwords differ.').count()).toBe(1);
    const from = fake.log.length;
    await repeat.fill('a new long passphrase');
    await page.getByRole('button', { name: 'Join and sign in' }).click();
    await page.waitForURL('**/classes');
    expect(await page.getByRole('banner').textContent()).toContain('Nia New');
    expect(callsSince(from)[0]).toMatchObject({ call: 'POST /v1/auth/links/invite-1', body: { password: 'a new long passphrase', displayName: 'Nia New' } });
    await page.close();
  });

  it('a password reset asks no name, sets the password and signs in; a used link says it cannot be used', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/accept/reset-1`);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Your name' }).count()).toBe(0);
    await page.getByLabel('New password', { exact: true }).fill('pat-new-passphrase');
    await page.getByLabel('Repeat the password').fill('pat-new-passphrase');
    const from = fake.log.length;
    await page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await page.waitForURL('**/my/sessions');
    expect(callsSince(from)[0]).toMatchObject({ call: 'POST /v1/auth/links/reset-1', body: { password: 'pat-new-passphrase' } });
    expect(callsSince(from)[0]!.body).not.toHaveProperty('displayName');
    await page.goto(`${url}/accept/reset-1`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This link is unknown, already used, withdrawn or expired.');
    await page.close();
  });
});

describe('profile', () => {
  it('changes the password, and says on the field when the current one is wrong; passes axe', async () => {
    const page = await newA11yPage(browser);
    await page.goto(`${url}/sign-in?next=%2Fprofile`);
    await signIn(page, 'ada@example.edu', 'ada-secret-passphrase');
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    const current = page.getByLabel('Current password');
    await current.fill('wrong');
    await page.getByLabel('New password', { exact: true }).fill('ada-new-passphrase');
    await page.getByLabel('Repeat the new password').fill('ada-new-passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await expect.poll(() => current.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').textContent()).toBe('Not changed: the current password is wrong.');
    expect(await a11yViolations(page)).toEqual([]);
    const from = fake.log.length;
    await current.fill('ada-secret-passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Your password is changed.');
    expect(callsSince(from)[0]).toMatchObject({ call: 'PATCH /v1/me', body: { currentPassword: 'ada-secret-passphrase', newPassword: 'ada-new-passphrase' } });
    expect(await current.inputValue()).toBe('');
    await page.close();
  });

  it('offers no password change to a person who signs in through their institution', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/profile`);
    await page.waitForURL('**/sign-in?next=%2Fprofile');
    // The stand-in lets this SSO person in with a password, to reach the page.
    await signIn(page, 'sso@example.edu', 'unused');
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(await page.getByRole('button', { name: 'Change the password' }).count()).toBe(0);
    expect(await page.getByRole('main').textContent()).toContain('You sign in through your institution, which manages your password.');
    await page.close();
  });
});
