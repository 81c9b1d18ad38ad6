import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';

// Exams on the real server, end to end: the demo teacher creates an exam for "Demo class" open now
// (server field errors on the form, keyboard-only submit), the demo student starts it, types and
// pastes, reloads (the same attempt resumes), submits through the confirmation dialog by keyboard,
// and the API shows the attempt submitted with the typed and pasted events in its session.

const TITLE = 'Midterm essay';
const PROMPT = 'Describe a place that changed how you think.';
const SENTENCE = 'The library was quiet that morning.';
const PARAGRAPH = 'Libraries are where curiosity finds a home, and every shelf holds a door to somewhere else.';

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('exams-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function apiAs<T>(email: string, path: string): Promise<T> {
  const token = await accessTokenOf(web.url, email, DEMO_PASSWORD);
  const res = await fetch(`${web.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

type ExamRow = { id: string; title: string; classIds: string[]; instructions: string; durationMinutes: number; resultsReleasedAt: string | null };
type AttemptRow = { id: string; state: string; sessionId: string | null; deadlineAt: string | null };

const examByTitle = async (email: string) => (await apiAs<{ items: ExamRow[] }>(email, '/v1/exams?limit=100')).items.find((e) => e.title === TITLE);

const myAttempts = async (examId: string) => (await apiAs<{ items: AttemptRow[] }>(web.people.student.email, `/v1/exams/${examId}/attempts`)).items;

const recorderStatus = (page: Page) => page.locator('.write-indicator');

describe('a teacher', () => {
  it('creates an exam for Demo class by keyboard (server field errors on the fields), sees it open, and releases its results; passes axe', async () => {
    const page = await signedInPage(browser, web, '/exams', web.people.teacher.email);
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Exams' }).count()).toBe(1);
    await page.getByText('There is no exam yet').waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'New exam' }).click();
    await page.getByRole('heading', { name: 'New exam', level: 1 }).waitFor();
    await page.getByRole('checkbox', { name: 'Demo class' }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    // Sent with no title: the server refuses it, and says so on the field.
    const create = page.getByRole('button', { name: 'Create the exam' });
    await create.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'some fields need attention' }).waitFor();
    const title = page.getByRole('textbox', { name: 'Title' });
    expect(await title.getAttribute('aria-invalid')).toBe('true');
    expect(await title.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '')).not.toBe('');
    expect(await a11yViolations(page)).toEqual([]);

    await title.fill(TITLE);
    await page.getByRole('textbox', { name: 'Instructions or writing prompt' }).fill(PROMPT);
    await page.getByRole('spinbutton', { name: 'Duration (minutes)' }).fill('30');
    await page.getByRole('checkbox', { name: 'Demo class' }).check();
    // A threshold the server refuses is said on its field; then one it takes.
    const paste = page.getByRole('spinbutton', { name: 'Paste from elsewhere flagged from (characters)' });
    await paste.fill('-1');
    await create.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => paste.getAttribute('aria-invalid')).toBe('true');
    expect(await title.getAttribute('aria-invalid')).toBeNull();
    expect(await a11yViolations(page)).toEqual([]);
    await paste.fill('80');
    await create.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL('**/exams');
    const row = page.getByRole('row', { name: new RegExp(TITLE) });
    await row.waitFor();
    expect(await row.textContent()).toContain('Open');
    expect(await a11yViolations(page)).toEqual([]);

    const exam = await examByTitle(web.people.teacher.email);
    expect(exam).toMatchObject({ instructions: PROMPT, durationMinutes: 30, resultsReleasedAt: null });
    expect(exam!.classIds).toHaveLength(1);
    expect((exam as unknown as { analysis: { thresholds?: Record<string, number> } }).analysis.thresholds).toEqual({ externalPasteChars: 80 });

    await row.getByRole('link', { name: TITLE }).click();
    await page.getByRole('heading', { name: `Edit ${TITLE}`, level: 1 }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Demo class' }).isChecked()).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);
    // Edited and saved: the API has the new subject, the thresholds set before are kept.
    await page.getByRole('textbox', { name: 'Subject' }).fill('English');
    await page.getByRole('button', { name: 'Save the exam' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const edited = (await examByTitle(web.people.teacher.email)) as unknown as { subject: string; analysis: { thresholds?: Record<string, number> } };
    expect(edited).toMatchObject({ subject: 'English', analysis: { thresholds: { externalPasteChars: 80 } } });
    await page.getByRole('button', { name: 'Release the results to students' }).click();
    await page.getByRole('button', { name: 'Withdraw the results' }).waitFor();
    expect((await examByTitle(web.people.teacher.email))!.resultsReleasedAt).not.toBeNull();
    await page.close();
  });
});

describe('a student', () => {
  it('starts the exam, types and pastes, reloads into the same attempt, submits by keyboard; the API shows it submitted with the events; passes axe', async () => {
    const exam = (await examByTitle(web.people.teacher.email))!;
    const page = await signedInPage(browser, web, '/my/exams', web.people.student.email);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
    expect(await page.getByRole('navigation').getByRole('link', { name: 'My exams' }).count()).toBe(1);
    await page.getByRole('link', { name: `Start ${TITLE}` }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    expect(await myAttempts(exam.id)).toEqual([]);

    await page.getByRole('link', { name: `Start ${TITLE}` }).click();
    await page.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
    expect(await page.getByRole('region', { name: 'Prompt' }).textContent()).toContain(PROMPT);
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'I agree — start the exam' }).click();

    const editor = page.getByRole('textbox', { name: 'Your answer' });
    await expect.poll(() => editor.isEnabled()).toBe(true);
    const timer = page.getByRole('timer', { name: 'Time left' });
    await expect.poll(() => timer.textContent()).toMatch(/^(29|30):\d\d$/);
    // The live region stays quiet far from the deadline (it speaks at 5 and 1 minute left).
    expect(await page.getByTestId('countdown-announcement').textContent()).toBe('');
    const [first] = await myAttempts(exam.id);
    expect(first).toMatchObject({ state: 'in_progress' });

    await editor.click();
    await page.keyboard.type(`${SENTENCE} `);
    await page.evaluate((text) => navigator.clipboard.writeText(text), PARAGRAPH);
    await page.keyboard.press('Control+V');
    expect(await editor.inputValue()).toBe(`${SENTENCE} ${PARAGRAPH}`);
    await expect.poll(() => recorderStatus(page).textContent(), { timeout: 15_000 }).toBe('Recording · all saved');
    expect(await a11yViolations(page)).toEqual([]);

    // A reload resumes the same attempt and session, with the text as it was.
    await page.reload();
    await expect.poll(() => editor.isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await editor.inputValue()).toBe(`${SENTENCE} ${PARAGRAPH}`);
    const [again] = await myAttempts(exam.id);
    expect(again).toMatchObject({ id: first!.id, sessionId: first!.sessionId, state: 'in_progress' });
    await editor.focus();
    await page.keyboard.press('End');
    await page.keyboard.type(' The end.');
    await expect.poll(() => recorderStatus(page).textContent(), { timeout: 15_000 }).toBe('Recording · all saved');

    // Submit asks first; keyboard only: Escape keeps writing, Enter on Submit submits.
    const submit = page.getByRole('button', { name: 'Submit the exam' });
    await submit.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Submit your exam?' });
    await dialog.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => submit.evaluate((b) => b === document.activeElement), { timeout: 10_000 }).toBe(true);
    expect((await myAttempts(exam.id))[0]!.state).toBe('in_progress');
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Submit', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Submitted', level: 2 }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    const [done] = await myAttempts(exam.id);
    expect(done).toMatchObject({ id: first!.id, state: 'submitted' });
    const session = await apiAs<{ status: string }>(web.people.student.email, `/v1/sessions/${done!.sessionId}`);
    expect(session.status).toBe('ended');
    const events = (
      await apiAs<{ items: { type: string; data: Record<string, unknown> }[] }>(web.people.student.email, `/v1/sessions/${done!.sessionId}/events?limit=5000`)
    ).items;
    expect(events[0]).toMatchObject({ type: 'consent', data: { accepted: true } });
    const ops = events.filter((e) => e.type === 'text.op');
    expect(ops.filter((e) => e.data.cause === 'type').length).toBeGreaterThanOrEqual(SENTENCE.length);
    expect(ops.some((e) => e.data.cause === 'paste' && e.data.ins === PARAGRAPH)).toBe(true);
    expect(events.some((e) => e.type === 'clipboard' && e.data.action === 'paste' && e.data.len === PARAGRAPH.length)).toBe(true);

    // A reload after submitting shows it submitted, nothing to write.
    await page.reload();
    await page.getByRole('heading', { name: 'Submitted', level: 2 }).waitFor();
    expect(await editor.count()).toBe(0);
    await page.goto(`${web.url}/my/exams`);
    await page
      .getByRole('row', { name: new RegExp(TITLE) })
      .filter({ hasText: 'Submitted' })
      .waitFor();
    await page.close();
  });
});

describe('the countdown', () => {
  it('announces 5 minutes left once, in its live region, and the clock counts down', async () => {
    const exam = (await examByTitle(web.people.teacher.email))!;
    const token = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
    const now = Date.now();
    const res = await fetch(`${web.url}/v1/exams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Quick check',
        kind: 'writing',
        maxScore: 10,
        passMark: 5,
        durationMinutes: 5,
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 3_600_000).toISOString(),
        classIds: exam.classIds,
      }),
    });
    expect(res.status).toBe(201);
    const page = await signedInPage(browser, web, '/my/exams', web.people.student.email);
    await page.getByRole('link', { name: 'Start Quick check' }).click();
    await page.getByRole('button', { name: 'I agree — start the exam' }).click();
    const timer = page.getByRole('timer', { name: 'Time left' });
    await expect.poll(() => timer.textContent()).toMatch(/^4:5\d$/);
    const announcement = page.getByTestId('countdown-announcement');
    expect(await announcement.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => announcement.textContent()).toBe('5 minutes left.');
    const first = await timer.textContent();
    await expect.poll(() => timer.textContent()).not.toBe(first);
    expect(await announcement.textContent()).toBe('5 minutes left.');
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});
