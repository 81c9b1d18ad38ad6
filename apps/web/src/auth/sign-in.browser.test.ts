import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../scripts/test-support/chromium';
import { a11yViolations, newA11yPage } from '../testing/browser-harness';
import { addPerson, DEMO_PASSWORD, invite, resetLink, startWebServer, type WebServer } from '../testing/real-server';

// Signing in, out and back, the sign-in restored from the refresh cookie, guards by role, the
// invitation and reset links and the profile, in Chromium on the real server (demo institution).

let web: WebServer;
let url: string;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('sign-in-web');
  url = web.url;
  await addPerson(web, { email: 'pat@demo.veritas.test', role: 'student', displayName: 'Pat Student', password: 'pat-secret-passphrase' });
  await addPerson(web, { email: 'ava@demo.veritas.test', role: 'admin', displayName: 'Ava Admin', password: 'ava-secret-passphrase' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

interface Call {
  call: string;
  authorization?: string;
  csrf?: string;
  cookie?: string;
  body?: unknown;
}

/** Every API request the page sends, with what it carried (headers as sent, cookies included). */
function recordCalls(page: Page): Call[] {
  const log: Call[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!u.pathname.startsWith('/v1/')) return;
    const entry: Call = { call: `${r.method()} ${u.pathname}` };
    log.push(entry);
    r.allHeaders().then(
      (h) => {
        if (h.authorization) entry.authorization = h.authorization;
        if (h['x-csrf-token']) entry.csrf = h['x-csrf-token'];
        if (h.cookie) entry.cookie = h.cookie;
      },
      // A request still in flight when its page closes has no headers to read: nothing to log.
      () => {},
    );
    const body = r.postData();
    if (body) entry.body = JSON.parse(body) as unknown;
  });
  return log;
}
const csrfCookieOf = (c: Call) => /(?:^|;\s*)veritas_csrf=([^;]+)/.exec(c.cookie ?? '')?.[1];

const navLinks = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
const pathOf = (page: Page) => new URL(page.url()).pathname + new URL(page.url()).search;

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
    { role: 'admin', start: '/admin/users', nav: ['Users', 'Invitations', 'Classes', 'API keys', 'Audit log', 'Institution', 'Webhooks', 'LMS', 'Review'] },
    { role: 'teacher', start: '/classes', nav: ['Classes', 'Dashboard', 'Exams', 'Sessions', 'Review'] },
    { role: 'observer', start: '/sessions', nav: ['Sessions', 'Classes', 'Review'] },
    { role: 'student', start: '/my/sessions', nav: ['My sessions', 'My dashboard', 'My exams', 'My flags', 'Profile'] },
  ] as const)('the demo $role lands on $start with the navigation of the role', async ({ role, start, nav }) => {
    const person = web.people[role];
    const page = await browser.newPage();
    const log = recordCalls(page);
    await page.goto(`${url}/sign-in`);
    await expect.poll(() => navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    const from = log.length;
    await signIn(page, person.email, DEMO_PASSWORD);
    await page.waitForURL(`**${start}`);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    expect(await navLinks(page)).toEqual(nav);
    expect(await page.getByRole('banner').textContent()).toContain(person.displayName);
    // The login went without a bearer; /v1/me with the token it answered, from memory (nothing in storage).
    const calls = log.slice(from, from + 2);
    expect(calls.map((c) => c.call)).toEqual(['POST /v1/auth/login', 'GET /v1/me']);
    expect(calls[0]).toMatchObject({ body: { email: person.email, password: DEMO_PASSWORD } });
    expect(calls[0]!.authorization).toBeUndefined();
    expect(calls[1]!.authorization).toMatch(/^Bearer ey/);
    const token = calls[1]!.authorization!.slice('Bearer '.length);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toContain(token);
    await page.close();
  });

  it('says a wrong password in an alert and on the password field, tied to it; nothing else is marked', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in`);
    await signIn(page, web.people.student.email, 'not the password');
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
    await signIn(page, web.people.teacher.email, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(pathOf(page)).toBe('/profile');
    await page.close();

    const other = await browser.newPage();
    await other.goto(`${url}/sign-in?next=${encodeURIComponent('//evil.example/x')}`);
    await signIn(other, web.people.teacher.email, DEMO_PASSWORD);
    await other.waitForURL(`${url}/classes`);
    await other.close();
  });
});

describe('guards by role', () => {
  it('a student typing /admin/users gets "Not allowed (403)", never the page; the sign-in is restored from the refresh cookie', async () => {
    const page = await newA11yPage(browser);
    const log = recordCalls(page);
    await page.goto(`${url}/sign-in`);
    await signIn(page, web.people.student.email, DEMO_PASSWORD);
    await page.waitForURL('**/my/sessions');
    await page.getByText('You have no recorded session yet.').waitFor(); // the page's own request is done
    const headings = await recordHeadings(page);
    const from = log.length;
    await page.goto(`${url}/admin/users`); // a new page load: the token in memory is gone
    await page.getByRole('heading', { name: 'Not allowed (403)' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain(
      `This page is for administrators. You are signed in as ${web.people.student.displayName}, student at Demo School`,
    );
    expect(await headings()).toEqual(['Not allowed (403)']);
    expect(pathOf(page)).toBe('/admin/users');
    // Restored: one refresh, its CSRF header equal to the readable cookie, then /v1/me.
    const calls = log.slice(from);
    expect(calls.map((c) => c.call)).toEqual(['POST /v1/auth/refresh', 'GET /v1/me']);
    expect(calls[0]!.csrf).toBeDefined();
    expect(calls[0]!.csrf).toBe(csrfCookieOf(calls[0]!));
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });

  const NOT_ALLOWED = 'Not allowed (403)';
  it.each([
    ['teacher', ['/admin/users', '/my/sessions'], { '/classes': 'Classes', '/sessions': 'Sessions', '/profile': 'Your profile' }],
    // Observers read their teachers' classes (routes.tsx): /classes is theirs, read only.
    ['observer', ['/admin/audit', '/my/sessions'], { '/sessions': 'Sessions', '/classes': 'Classes', '/profile': 'Your profile' }],
    ['admin', ['/classes', '/my/sessions'], { '/admin/users': 'Users', '/admin/invitations': 'Invitations' }],
  ] as const)('an %s is refused where the role does not fit and let in where it does', async (role, refused, allowed) => {
    const page = await browser.newPage();
    await page.goto(`${url}/sign-in`);
    await signIn(page, web.people[role].email, DEMO_PASSWORD);
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

describe('the sign-in', () => {
  it('signing out ends it on the server (with the CSRF header) and here; a reload stays signed out', async () => {
    const page = await browser.newPage();
    const log = recordCalls(page);
    await page.goto(`${url}/sign-in`);
    await signIn(page, web.people.observer.email, DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const from = log.length;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    expect(pathOf(page)).toBe('/');
    const calls = log.slice(from).filter((c) => c.call.includes('/v1/auth/')); // the home page lists sessions too
    expect(calls.map((c) => c.call)).toEqual(['POST /v1/auth/logout']);
    expect(calls[0]!.csrf).toBe(csrfCookieOf(calls[0]!));
    expect(calls[0]!.authorization).toMatch(/^Bearer /);
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain('veritas_refresh');
    const reload = log.length;
    await page.reload();
    await page.getByRole('heading', { name: 'Veritas' }).waitFor();
    expect(await navLinks(page)).toEqual(['Home', 'Write', 'Sign in']);
    // No cookie left, so nothing to refresh.
    expect(log.slice(reload).map((c) => c.call)).not.toContain('POST /v1/auth/refresh');
    await page.close();
  });

  it('a refresh cookie revoked on the server (signed out in another tab) leaves the next load signed out', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/sign-in?next=%2Fprofile`);
    await signIn(page, web.people.teacher.email, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    const cookies = await context.cookies();
    const other = await context.newPage();
    await other.goto(`${url}/profile`);
    await other.getByRole('heading', { name: 'Your profile' }).waitFor();
    await other.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => navLinks(other)).toEqual(['Home', 'Write', 'Sign in']);
    // The old cookies put back by hand: the server refuses the revoked refresh token.
    await context.addCookies(cookies);
    await page.reload();
    await page.waitForURL('**/sign-in?next=%2Fprofile');
    await context.close();
  });
});

describe('invitation and reset links', () => {
  it('an invitation shows the email and institution, checks the two passwords, asks a name, and signs the new person in', async () => {
    const link = await invite(web, { email: 'nia@demo.veritas.test', role: 'teacher' });
    const page = await newA11yPage(browser);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Join Demo School' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('nia@demo.veritas.test');
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Your name' }).fill('Nia New');
    await page.getByLabel('Password', { exact: true }).fill('a new long passphrase');
    await page.getByLabel('Repeat the password').fill('a different passphrase');
    await page.getByRole('button', { name: 'Join and sign in' }).click();
    const repeat = page.getByLabel('Repeat the password');
    await expect.poll(() => repeat.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('The two passwords differ.').count()).toBe(1);
    await repeat.fill('a new long passphrase');
    await page.getByRole('button', { name: 'Join and sign in' }).click();
    await page.waitForURL('**/classes');
    expect(await page.getByRole('banner').textContent()).toContain('Nia New');
    await page.close();
  });

  it('a password reset asks no name, sets the password and signs in; a used link says it cannot be used', async () => {
    const link = await resetLink(web, 'pat@demo.veritas.test');
    const page = await browser.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Your name' }).count()).toBe(0);
    await page.getByLabel('New password', { exact: true }).fill('pat-new-passphrase');
    await page.getByLabel('Repeat the password').fill('pat-new-passphrase');
    await page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await page.waitForURL('**/my/sessions');
    await page.goto(link);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This link is unknown, already used, withdrawn or expired.');
    // The new password is the one that signs in now.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${url}/sign-in`);
    await signIn(page, 'pat@demo.veritas.test', 'pat-new-passphrase');
    await page.waitForURL('**/my/sessions');
    await page.close();
  });
});

describe('profile', () => {
  it('changes the name, then the password (saying on the field when the current one is wrong); the new password signs in; passes axe', async () => {
    const page = await newA11yPage(browser);
    await page.goto(`${url}/sign-in?next=%2Fprofile`);
    await signIn(page, 'ava@demo.veritas.test', 'ava-secret-passphrase');
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Display name' }).fill('Ava A. Admin');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await expect.poll(() => page.getByText('Your name is saved.').count()).toBe(1);
    expect(await page.getByRole('banner').textContent()).toContain('Ava A. Admin');

    const current = page.getByLabel('Current password');
    await current.fill('wrong');
    await page.getByLabel('New password', { exact: true }).fill('ava-new-passphrase');
    await page.getByLabel('Repeat the new password').fill('ava-new-passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await expect.poll(() => current.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').textContent()).toBe('Not changed: the current password is wrong.');
    expect(await a11yViolations(page)).toEqual([]);
    await current.fill('ava-secret-passphrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await expect.poll(() => page.getByText('Your password is changed.').count()).toBe(1);
    expect(await current.inputValue()).toBe('');

    // A reload keeps the sign-in (the refresh cookie) and the new name; the new password signs in.
    await page.reload();
    await page.getByRole('heading', { name: 'Your profile' }).waitFor();
    expect(await page.getByRole('banner').textContent()).toContain('Ava A. Admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${url}/sign-in`);
    await signIn(page, 'ava@demo.veritas.test', 'ava-secret-passphrase');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('The email address or the password is wrong.');
    await signIn(page, 'ava@demo.veritas.test', 'ava-new-passphrase');
    await page.waitForURL('**/admin/users');
    await page.close();
  });
});
