import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { addPerson, DEMO_PASSWORD, startSession, startWebServer, type WebServer, signedInPage } from '../../testing/real-server';

// The people and session pages on the real server: what they show, that they pass axe, and a
// dialog used with the keyboard alone.

let web: WebServer;
let browser: Browser;
let sessionId: string;

beforeAll(async () => {
  web = await startWebServer('pages-web');
  await addPerson(web, { email: 'rui@demo.veritas.test', role: 'student', displayName: 'Rui Student', password: 'rui-secret-passphrase' });
  sessionId = await startSession(web, web.people.student.email, DEMO_PASSWORD, 'Essay on rivers');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('Users', () => {
  it('lists the people, searches, changes a role in a dialog with the keyboard (Escape closes, focus returns), disables, and shows a reset link once; passes axe', async () => {
    const page = await signedInPage(browser, web, '/admin/users', web.people.admin.email);
    const rui = page.getByRole('row', { name: /Rui Student/ });
    await rui.waitFor();
    expect(await page.getByRole('row').count()).toBe(6); // the header and five people
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'Name or email contains' }).fill('rui@');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByRole('row').count()).toBe(2);

    // The dialog, keyboard only.
    const open = rui.getByRole('button', { name: 'Change role of Rui Student' });
    await open.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Change the role of Rui Student' });
    await dialog.waitFor();
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => open.evaluate((b) => b === document.activeElement), { timeout: 10_000 }).toBe(true);

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    const choice = dialog.getByRole('button', { name: /New role/ });
    await choice.focus();
    await page.keyboard.press('Enter'); // opens the list
    await page.getByRole('option', { name: 'Observer' }).waitFor();
    await page.keyboard.press('ArrowDown'); // Student → Teacher
    await page.keyboard.press('ArrowDown'); // → Observer
    await page.keyboard.press('Enter');
    await expect.poll(() => choice.textContent()).toContain('Observer');
    await dialog.getByRole('button', { name: 'Save the role' }).focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Rui Student is now observer.' }).count()).toBe(1);
    await expect.poll(() => rui.textContent()).toContain('observer');

    await rui.getByRole('button', { name: 'Password-reset link for Rui Student' }).click();
    const link = await page.getByTestId('one-time-secret').inputValue();
    expect(link).toMatch(/\/accept\/[\w-]+$/);
    expect(await a11yViolations(page)).toEqual([]);
    await rui.getByRole('button', { name: 'Disable Rui Student' }).click();
    await expect.poll(() => rui.textContent()).toContain('disabled');

    // The filters ask the server: disabled observers are only Rui.
    await page.getByRole('textbox', { name: 'Name or email contains' }).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: /Status$/ }).click();
    await page.getByRole('option', { name: 'Disabled' }).click();
    await expect.poll(() => page.getByRole('row').count()).toBe(2);
    expect(await rui.count()).toBe(1);
    await page.close();
  });
});

describe('sessions', () => {
  it('a student sees their own sessions with links to the replay and the report; passes axe', async () => {
    const page = await signedInPage(browser, web, '/my/sessions', web.people.student.email);
    const row = page.getByRole('row', { name: /Essay on rivers/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('in progress');
    expect(await row.getByRole('link', { name: 'Replay of Essay on rivers' }).getAttribute('href')).toBe(`/replay/${sessionId}`);
    expect(await a11yViolations(page)).toEqual([]);
    await row.getByRole('link', { name: 'Report on Essay on rivers' }).click();
    await page.getByRole('heading', { name: 'Process report', level: 1 }).waitFor();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('This session is not analysed yet');
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });

  it('the teacher of the class sees the student’s session with a replay link; passes axe', async () => {
    const page = await signedInPage(browser, web, '/sessions', web.people.teacher.email);
    const row = page.getByRole('row', { name: /Essay on rivers/ });
    await row.waitFor();
    expect(await row.getByRole('link', { name: 'Replay of Essay on rivers' }).getAttribute('href')).toBe(`/replay/${sessionId}`);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});
