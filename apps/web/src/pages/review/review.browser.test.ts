import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, flagsOf, importSimulated, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';

// Flag review on the real server: the demo student imports a pasted essay, the server's analysis
// raises its flags, the teacher dismisses the paste flag with a note to the student (keyboard only,
// axe on every state), the student sees the outcome and answers, and the teacher reads the answer.
// A student may not open the queue; an observer reads it with nothing to decide.

const TITLE = 'Sam: history summary (with a paste)';
const NOTE_TO_STUDENT = 'The pasted passage is your own earlier draft, as you showed me.';
const ANSWER = 'I wrote the draft at home and pasted it in, as agreed with my teacher.';

let web: WebServer;
let browser: Browser;
let sessionId: string;
let teacherToken: string;

beforeAll(async () => {
  web = await startWebServer('review-web');
  sessionId = await importSimulated(web, web.people.student.email, DEMO_PASSWORD, 'paste', 12, TITLE);
  teacherToken = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
  // The analysis runs as a job; the review consolidates its flags when it is done.
  await vi.waitFor(
    async () => {
      if (!(await flagsOf(web, sessionId, teacherToken)).some((f) => f.kind === 'paste-share')) throw new Error('no paste-share flag yet');
    },
    { timeout: 60_000, interval: 100 },
  );
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const pasteFlag = async () => (await flagsOf(web, sessionId, teacherToken)).find((f) => f.kind === 'paste-share')!;

describe('flag review, end to end', () => {
  it('the teacher dismisses the paste flag with a note to the student by keyboard; the student sees it and answers; the teacher reads the answer', async () => {
    const teacher = await signedInPage(browser, web, '/review', web.people.teacher.email);
    expect(await teacher.getByRole('navigation').getByRole('link', { name: 'Review' }).count()).toBe(1);
    const row = teacher.getByRole('row', { name: /paste share/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(TITLE);
    expect(await row.textContent()).toContain('high');
    expect(await row.textContent()).toContain('open');
    expect(await a11yViolations(teacher)).toEqual([]);

    // To the session's review page, by keyboard.
    await row.getByRole('link', { name: `Review ${TITLE}: paste share` }).focus();
    await teacher.keyboard.press('Enter');
    await teacher.getByRole('heading', { name: `Review: ${TITLE}`, level: 1 }).waitFor();
    expect(await teacher.getByRole('link', { name: 'Watch the replay' }).getAttribute('href')).toBe(`/replay/${sessionId}`);
    expect(await teacher.getByRole('link', { name: 'Read the process report' }).getAttribute('href')).toBe(`/report/${sessionId}`);
    const card = teacher.getByRole('region', { name: /^paste share/ });
    await card.getByRole('table', { name: 'Occurrences of the paste share flag' }).waitFor();
    expect(await card.textContent()).toContain('No decision yet.');
    expect(await a11yViolations(teacher)).toEqual([]);

    // The dialog: Escape closes it and gives the focus back.
    const decide = card.getByRole('button', { name: 'Decide on the paste share flag' });
    await decide.focus();
    await teacher.keyboard.press('Enter');
    const dialog = teacher.getByRole('dialog', { name: 'Decide on the paste share flag' });
    await dialog.waitFor();
    expect(await a11yViolations(teacher)).toEqual([]);
    await teacher.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => decide.evaluate((b) => b === document.activeElement), { timeout: 10_000 }).toBe(true);

    // Confirm without a note: the note field says it is required, and nothing is sent.
    await teacher.keyboard.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('radio', { name: 'Confirm' }).focus();
    await teacher.keyboard.press('Space');
    expect(await dialog.getByRole('radio', { name: 'Confirm' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Confirm the flag' }).focus();
    await teacher.keyboard.press('Enter');
    await dialog.getByText('A note is required to confirm this flag.').waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Note for the reviewers (required)' }).getAttribute('aria-invalid')).toBe('true');
    expect(await a11yViolations(teacher)).toEqual([]);
    expect((await pasteFlag()).state).toBe('open');

    // Dismiss (no note needed on an open flag), with a note to the student.
    await dialog.getByRole('radio', { name: 'Confirm' }).focus();
    await teacher.keyboard.press('ArrowDown');
    expect(await dialog.getByRole('radio', { name: 'Dismiss' }).isChecked()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Note to the student (optional)' }).focus();
    await teacher.keyboard.type(NOTE_TO_STUDENT);
    await dialog.getByRole('button', { name: 'Dismiss the flag' }).focus();
    await teacher.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await teacher.getByRole('status').filter({ hasText: 'The paste share flag is dismissed.' }).waitFor();
    await expect.poll(() => card.getByRole('list', { name: 'Decisions on the paste share flag' }).textContent()).toContain(NOTE_TO_STUDENT);
    expect(await card.textContent()).toContain('dismissed. A reviewer dismissed it');
    // Its Decide button is gone (a dismissed flag is reopened by an admin): the focus is on the flag.
    expect(await card.getByRole('button', { name: /Decide/ }).count()).toBe(0);
    await expect.poll(() => card.getByRole('heading', { level: 2 }).evaluate((h) => h === document.activeElement)).toBe(true);
    expect(await a11yViolations(teacher)).toEqual([]);
    const decided = await pasteFlag();
    expect(decided.state).toBe('dismissed');
    expect(decided.decisions.map((d) => [d.decision, d.noteToStudent])).toEqual([['dismiss', NOTE_TO_STUDENT]]);

    // The queue, filtered on the server: waiting flags by default, the dismissed one under "Dismissed".
    await teacher.getByRole('link', { name: 'All flags to review' }).click();
    await teacher.getByRole('row', { name: /external paste/ }).waitFor();
    expect(await teacher.getByRole('row', { name: /paste share/ }).count()).toBe(0);
    await teacher.getByRole('button', { name: /State/ }).click();
    await teacher.getByRole('option', { name: 'Dismissed' }).click();
    await expect.poll(() => teacher.getByRole('row', { name: /paste share/ }).textContent()).toContain('dismissed');
    expect(await teacher.getByRole('row', { name: /external paste/ }).count()).toBe(0);
    expect(await a11yViolations(teacher)).toEqual([]);

    // The student sees the outcome and the note meant for them, and answers.
    const student = await signedInPage(browser, web, '/my/flags', web.people.student.email);
    expect(await student.getByRole('navigation').getByRole('link', { name: 'My flags' }).count()).toBe(1);
    const own = student.getByRole('region', { name: /^paste share/ });
    await own.waitFor();
    expect(await own.textContent()).toContain('dismissed. A reviewer dismissed it: it is not held against you.');
    expect(await own.getByRole('list', { name: 'Notes to you on the paste share flag' }).textContent()).toContain(NOTE_TO_STUDENT);
    expect(await a11yViolations(student)).toEqual([]);
    expect(await own.getByRole('radio', { name: 'Explanation' }).isChecked()).toBe(true);
    await own.getByRole('textbox', { name: 'Your answer' }).fill(ANSWER);
    await own.getByRole('button', { name: 'Send the answer' }).click();
    await own.getByRole('status').filter({ hasText: 'Your explanation is sent' }).waitFor();
    await expect.poll(() => own.getByRole('list', { name: 'Your answers to the paste share flag' }).textContent()).toContain(ANSWER);
    expect(await own.getByRole('textbox', { name: 'Your answer' }).inputValue()).toBe('');
    expect(await a11yViolations(student)).toEqual([]);
    expect((await pasteFlag()).answers.map((a) => a.text)).toEqual([ANSWER]);

    // The teacher reads it on the session's review page.
    await teacher.goto(`${web.url}/review/sessions/${sessionId}`);
    await expect
      .poll(() =>
        teacher
          .getByRole('region', { name: /^paste share/ })
          .getByRole('list', { name: 'Answers to the paste share flag' })
          .textContent(),
      )
      .toContain(`explanation: “${ANSWER}”`);
    expect(await a11yViolations(teacher)).toEqual([]);
    await student.close();
    await teacher.close();
  });
});

describe('a high flag and a state that moved on', () => {
  it('needs a second reviewer: the teacher confirms, it awaits another reviewer (in words), a decision made meanwhile is explained, the admin confirms', async () => {
    const title = 'Sam: second essay (with a paste)';
    const id = await importSimulated(web, web.people.student.email, DEMO_PASSWORD, 'paste', 13, title);
    await expect.poll(async () => (await flagsOf(web, id, teacherToken)).map((f) => f.kind), { timeout: 60_000 }).toContain('paste-share');
    const flagOf = async (kind: string) => (await flagsOf(web, id, teacherToken)).find((f) => f.kind === kind)!;

    const teacher = await signedInPage(browser, web, `/review/sessions/${id}`, web.people.teacher.email);
    const card = teacher.getByRole('region', { name: /^paste share/ });
    await card.getByRole('button', { name: 'Decide on the paste share flag' }).click();
    const dialog = teacher.getByRole('dialog', { name: 'Decide on the paste share flag' });
    await dialog.getByText('Confirm', { exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Note for the reviewers (required)' }).fill('The pasted passages match a published article.');
    await dialog.getByRole('button', { name: 'Confirm the flag' }).click();
    await dialog.waitFor({ state: 'detached' });
    await teacher.getByRole('status').filter({ hasText: 'The paste share flag is confirmed.' }).waitFor();
    await expect.poll(() => card.textContent()).toContain('awaiting a second reviewer');
    expect(await card.textContent()).toContain('You confirmed it first, so another reviewer decides it.');
    expect(await card.getByRole('button', { name: /Decide/ }).count()).toBe(0);
    expect((await flagOf('paste-share')).state).toBe('awaiting_second_review');
    expect(await a11yViolations(teacher)).toEqual([]);

    // The teacher is about to dismiss the external paste flag when an admin dismisses it: the refusal in words, the page updated.
    const other = teacher.getByRole('region', { name: /^external paste/ });
    await other.getByRole('button', { name: 'Decide on the external paste flag' }).click();
    const otherDialog = teacher.getByRole('dialog', { name: 'Decide on the external paste flag' });
    await otherDialog.getByText('Dismiss', { exact: true }).click();
    const adminToken = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
    const res = await fetch(`${web.url}/v1/flags/${(await flagOf('external-paste')).id}/decisions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'dismiss' }),
    });
    expect(res.status).toBe(200);
    await otherDialog.getByRole('button', { name: 'Dismiss the flag' }).click();
    await otherDialog.getByRole('alert').filter({ hasText: 'Not decided: The flag’s state has changed and no longer allows this decision' }).waitFor();
    expect(await a11yViolations(teacher)).toEqual([]);
    await teacher.keyboard.press('Escape');
    await otherDialog.waitFor({ state: 'detached' });
    await expect.poll(() => other.textContent()).toContain('dismissed. A reviewer dismissed it');
    expect(await other.getByRole('button', { name: /Decide/ }).count()).toBe(0);

    // The admin is the second reviewer.
    const admin = await signedInPage(browser, web, '/review', web.people.admin.email);
    await admin
      .getByRole('row', { name: /paste share/ })
      .filter({ hasText: title })
      .getByRole('link')
      .click();
    const adminCard = admin.getByRole('region', { name: /^paste share/ });
    await adminCard.getByRole('button', { name: 'Decide on the paste share flag' }).click();
    const adminDialog = admin.getByRole('dialog', { name: 'Decide on the paste share flag' });
    expect(await adminDialog.getByRole('radio').count()).toBe(3);
    for (const name of ['Confirm', 'Dismiss', 'Escalate']) expect(await adminDialog.getByRole('radio', { name }).count()).toBe(1);
    await adminDialog.getByText('Confirm', { exact: true }).click();
    await adminDialog.getByRole('textbox', { name: 'Note for the reviewers (required)' }).fill('Agreed: the passages are copied.');
    await adminDialog.getByRole('button', { name: 'Confirm the flag' }).click();
    await admin.getByRole('status').filter({ hasText: 'The paste share flag is confirmed.' }).waitFor();
    await expect.poll(() => adminCard.textContent()).toContain('confirmed. A reviewer confirmed it.');
    // A confirmed flag is reopened by an admin: that is what is left to decide.
    await adminCard.getByRole('button', { name: 'Decide on the paste share flag' }).waitFor();
    expect((await flagOf('paste-share')).state).toBe('confirmed');
    expect(await a11yViolations(admin)).toEqual([]);
    await admin.close();
    await teacher.close();
  });
});

describe('who may review', () => {
  it('a student typing /review is not allowed', async () => {
    const page = await signedInPage(browser, web, '/my/flags', web.people.student.email);
    await page.goto(`${web.url}/review`);
    await page.getByRole('heading', { name: 'Not allowed (403)' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Review' }).count()).toBe(0);
    await page.close();
  });

  it('an observer reads the queue and a session’s flags with no decision to make; passes axe', async () => {
    const page = await signedInPage(browser, web, '/review', web.people.observer.email);
    const row = page.getByRole('row', { name: /external paste/ }).filter({ hasText: TITLE });
    await row.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: `Review: ${TITLE}`, level: 1 }).waitFor();
    await page
      .getByRole('region', { name: /^external paste/ })
      .getByRole('table')
      .waitFor();
    expect(await page.getByRole('region').count()).toBeGreaterThanOrEqual(3);
    expect(await page.getByRole('button', { name: /Decide/ }).count()).toBe(0);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});
