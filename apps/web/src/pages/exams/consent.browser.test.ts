import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';

// Consent where a student starts an attempt (ADR 0029): the institution requires it, the take page shows
// its text and version, the student agrees by keyboard, the server records the agreement, and the
// session's first event names the text agreed to, so ingest takes what the student types.

const TITLE = 'Consent essay';
const CONSENT = { title: 'Recording your writing', body: 'We record how you write this essay.\n\nYou may ask for everything we hold about you.' };

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('consent-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function call<T>(path: string, token: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${web.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

describe('consent on the take page', () => {
  it('shows the required consent text, records the agreement made by keyboard, and the session records; passes axe', async () => {
    const adminToken = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
    const text = await call<{ version: number; policy: string }>('/v1/admin/consent/texts', adminToken, { method: 'POST', body: CONSENT });
    await call('/v1/admin/consent', adminToken, { method: 'PUT', body: { required: true } });
    const teacherToken = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
    const now = Date.now();
    const exam = await call<{ id: string }>('/v1/exams', teacherToken, {
      method: 'POST',
      body: {
        title: TITLE,
        kind: 'writing',
        maxScore: 10,
        passMark: 5,
        durationMinutes: 60,
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 3_600_000).toISOString(),
        classIds: ['c-demo'],
      },
    });

    const page = await signedInPage(browser, web, `/my/exams/${exam.id}/take`, web.people.student.email);
    const region = page.getByRole('region', { name: new RegExp(CONSENT.title) });
    await region.waitFor();
    expect(await region.textContent()).toContain('version 1');
    expect(await region.textContent()).toContain('You may ask for everything we hold about you.');
    expect(await a11yViolations(page)).toEqual([]);

    // Keyboard only: the text's region is reachable (it scrolls), then the agreement.
    const agree = page.getByRole('button', { name: 'I agree — start the exam' });
    await region.focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => agree.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Enter');
    const editor = page.getByRole('textbox', { name: 'Your answer' });
    await expect.poll(() => editor.isEnabled(), { timeout: 30_000 }).toBe(true);
    await editor.pressSequentially('I agreed and wrote this.', { delay: 20 });
    expect(await a11yViolations(page)).toEqual([]);

    const studentToken = await accessTokenOf(web.url, web.people.student.email, DEMO_PASSWORD);
    const mine = await call<{ agreement: { version: number; agreedAt: string } | null }>('/v1/me/consent', studentToken);
    expect(mine.agreement).toMatchObject({ version: text.version });
    // The first event names the text agreed to, and what was typed after it was taken.
    const attempt = (await call<{ items: { sessionId: string }[] }>(`/v1/exams/${exam.id}/attempts`, studentToken)).items[0]!;
    await expect
      .poll(async () => (await call<{ items: { seq: number }[] }>(`/v1/sessions/${attempt.sessionId}/events?limit=1000`, studentToken)).items.length, {
        timeout: 30_000,
      })
      .toBeGreaterThan(5);
    const events = await call<{ items: { seq: number; type: string; data: { policy?: string } }[] }>(
      `/v1/sessions/${attempt.sessionId}/events?limit=5`,
      studentToken,
    );
    expect(events.items[0]).toMatchObject({ seq: 0, type: 'consent', data: { policy: text.policy } });
    await page.close();
  }, 180_000);

  it('lets the student withdraw the agreement by keyboard where the text is shown; the server records it and starting agrees again; passes axe', async () => {
    // Runs after the test above: consent is required and the student agreed to version 1.
    const teacherToken = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
    const now = Date.now();
    const exam = await call<{ id: string }>('/v1/exams', teacherToken, {
      method: 'POST',
      body: {
        title: 'Withdrawal essay',
        kind: 'writing',
        maxScore: 10,
        passMark: 5,
        durationMinutes: 60,
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 3_600_000).toISOString(),
        classIds: ['c-demo'],
      },
    });
    const studentToken = await accessTokenOf(web.url, web.people.student.email, DEMO_PASSWORD);
    expect((await call<{ agreement: unknown }>('/v1/me/consent', studentToken)).agreement).not.toBeNull();

    const page = await signedInPage(browser, web, `/my/exams/${exam.id}/take`, web.people.student.email);
    const region = page.getByRole('region', { name: new RegExp(CONSENT.title) });
    await region.waitFor();
    await page.getByText(/You agreed to version 1 on/).waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    // Keyboard only: from the text, Tab reaches the withdrawal; Enter withdraws; the focus lands on what happened, then Tab reaches "I agree".
    const withdraw = page.getByRole('button', { name: 'Withdraw my agreement' });
    await region.focus();
    await page.keyboard.press('Tab');
    await expect.poll(() => withdraw.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Enter');
    const said = page.getByRole('status').filter({ hasText: 'Your agreement is withdrawn' });
    await said.waitFor();
    await expect.poll(() => said.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    expect(await withdraw.count()).toBe(0);
    expect((await call<{ agreement: unknown }>('/v1/me/consent', studentToken)).agreement).toBeNull();
    expect(await a11yViolations(page)).toEqual([]);

    await page.keyboard.press('Tab');
    const agree = page.getByRole('button', { name: 'I agree — start the exam' });
    await expect.poll(() => agree.evaluate((el) => el === document.activeElement), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Enter');
    const editor = page.getByRole('textbox', { name: 'Your answer' });
    await expect.poll(() => editor.isEnabled(), { timeout: 30_000 }).toBe(true);
    expect((await call<{ agreement: { version: number } | null }>('/v1/me/consent', studentToken)).agreement).toMatchObject({ version: 1 });
    await page.close();
  }, 180_000);
});
