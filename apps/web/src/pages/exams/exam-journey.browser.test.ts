import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { ON_POSTGRES, startTestStorageWebServer } from '../../testing/test-storage-server';
import { accessTokenOf, DEMO_PASSWORD, signedInPage, type WebServer } from '../../testing/real-server';

// The journey, end to end through the web app on the real server: the demo teacher creates a
// writing exam in the form; the demo student takes it on the take page, types, pastes a paragraph from
// elsewhere and submits; the server's analysis (a job) raises the paste flag; the teacher opens the
// attempt's review page from the queue, finds the flag's marker on the replay timeline (reached by
// Tab, named by what it is, jumping the replay), reads the monitoring, dismisses the flag with a note
// by keyboard, scores the attempt and releases the results; the student sees the outcome on
// /my/flags, answers it, and sees the result on /my/exams (nothing before the release). Axe on every
// page. On PGlite, or PostgreSQL and Redis with VERITAS_TEST_DB=postgres VERITAS_TEST_HUB=redis.

const TITLE = 'Journey essay';
const PROMPT = 'Write about a journey that changed your mind.';
const SENTENCE = 'My first journey alone was a train ride north.';
const PARAGRAPH =
  'Travel broadens the mind, as the saying goes, but the broadening happens slowly: in the waiting rooms, the missed connections and the conversations with strangers who will never be seen again.';
const NOTE = 'The pasted passage is a quotation the student marked as such.';
const NOTE_TO_STUDENT = 'The quotation is fine: you named its source.';
const ANSWER = 'It is a quotation from the reading list, with its source named below it.';
// Generous: the analysis runs as a job on a machine shared by many test runs.
const ANALYSIS_CEILING = 180_000;

// The server on the storage the suite runs on (testing/test-storage-server.ts).
const STORAGE = ON_POSTGRES ? 'postgres' : 'pglite';

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startTestStorageWebServer('journey');
  browser = await launchChromium();
}, 240_000);

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

type Flag = { id: string; sessionId: string; kind: string; state: string; attemptId: string | null };
type FlagDetail = Flag & { decisions: { decision: string; note?: string | null }[]; answers: { text: string }[] };
/** The teacher's queue (all states): the paste flags in it. */
const pasteFlags = async () =>
  (await apiAs<{ items: Flag[] }>(web.people.teacher.email, '/v1/review/flags?state=all&limit=100')).items.filter((f) => f.kind === 'external-paste');
/** A flag with its decisions and answers, from its session's flags. */
const detailOf = async (flag: Flag) =>
  (await apiAs<{ items: FlagDetail[] }>(web.people.teacher.email, `/v1/sessions/${flag.sessionId}/flags`)).items.find((f) => f.id === flag.id)!;

/** Tabs until an element matching `target` has the focus (at most `limit` presses): keyboard reach, shown. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, limit = 10): Promise<number> {
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return i;
  }
  throw new Error(`not reached by Tab in ${limit} presses`);
}

describe(`the exam journey (${STORAGE})`, () => {
  it('teacher creates, student pastes and submits, teacher reviews on the timeline and dismisses with a note, student sees the outcome and the result', async () => {
    // 1. The teacher creates the exam in the form, by keyboard.
    const teacher = await signedInPage(browser, web, '/exams/new', web.people.teacher.email);
    await teacher.getByRole('checkbox', { name: 'Demo class' }).waitFor();
    await teacher.getByRole('textbox', { name: 'Title' }).fill(TITLE);
    await teacher.getByRole('textbox', { name: 'Instructions or writing prompt' }).fill(PROMPT);
    await teacher.getByRole('spinbutton', { name: 'Maximum score' }).fill('20');
    await teacher.getByRole('spinbutton', { name: 'Pass mark' }).fill('10');
    await teacher.getByRole('checkbox', { name: 'Demo class' }).check();
    await teacher.getByRole('spinbutton', { name: 'Paste from elsewhere flagged from (characters)' }).fill('80');
    expect(await a11yViolations(teacher)).toEqual([]);
    await teacher.getByRole('button', { name: 'Create the exam' }).focus();
    await teacher.keyboard.press('Enter');
    await teacher.waitForURL('**/exams');
    await teacher.getByRole('row', { name: new RegExp(TITLE) }).waitFor();

    // 2. The student takes it: types, pastes a paragraph from elsewhere, submits.
    const student = await signedInPage(browser, web, '/my/exams', web.people.student.email);
    await student.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: web.url });
    await student.getByRole('link', { name: `Start ${TITLE}` }).click();
    await student.getByRole('heading', { name: TITLE, level: 1 }).waitFor();
    await student.getByRole('button', { name: 'I agree — start the exam' }).click();
    const editor = student.getByRole('textbox', { name: 'Your answer' });
    await expect.poll(() => editor.isEnabled(), { timeout: 15_000 }).toBe(true);
    await editor.click();
    await student.keyboard.type(`${SENTENCE} `);
    await student.evaluate((text) => navigator.clipboard.writeText(text), PARAGRAPH);
    await student.keyboard.press('Control+V');
    expect(await editor.inputValue()).toBe(`${SENTENCE} ${PARAGRAPH}`);
    await expect.poll(() => student.locator('.write-indicator').textContent(), { timeout: 30_000 }).toBe('Recording · all saved');
    expect(await a11yViolations(student)).toEqual([]);
    await student.getByRole('button', { name: 'Submit the exam' }).click();
    const submitDialog = student.getByRole('dialog', { name: 'Submit your exam?' });
    await submitDialog.getByRole('button', { name: 'Submit', exact: true }).click();
    await student.getByRole('heading', { name: 'Submitted', level: 2 }).waitFor();

    // Before any score is released, /my/exams says so and shows no score.
    await student.goto(`${web.url}/my/exams`);
    const resultRow = student.getByRole('table', { name: 'My results' }).getByRole('row', { name: new RegExp(TITLE) });
    await resultRow.waitFor();
    expect(await resultRow.textContent()).toContain('Not released yet');
    expect(await resultRow.textContent()).not.toMatch(/passed|\/ 20/);
    expect(await a11yViolations(student)).toEqual([]);

    // 3. The analysis (a job) raises the paste flag, on the attempt.
    await expect.poll(async () => (await pasteFlags()).length, { timeout: ANALYSIS_CEILING, interval: 500 }).toBe(1);
    const [flag] = await pasteFlags();
    expect(flag!.state).toBe('open');
    expect(flag!.attemptId).not.toBeNull();
    const attemptId = flag!.attemptId!;

    // 4. The teacher opens the attempt's review from the queue.
    await teacher.goto(`${web.url}/review`);
    const queueRow = teacher.getByRole('row', { name: /external paste/ });
    await queueRow.waitFor();
    expect(await a11yViolations(teacher)).toEqual([]);
    await queueRow.getByRole('link').focus();
    await teacher.keyboard.press('Enter');
    await teacher.waitForURL(`**/review/attempts/${attemptId}?session=${flag!.sessionId}`);
    await teacher.getByRole('heading', { name: `Review: ${TITLE}, ${web.people.student.displayName}`, level: 1 }).waitFor();

    // The flag on the replay timeline: a marker named by what it is, reached by Tab, jumping the replay.
    const markers = teacher.getByRole('list', { name: 'Flags on the timeline' });
    const marker = markers.getByRole('button', { name: /external paste flag \(open\), occurrence 1 of 1, at \d+:\d\d: jump the replay there/ });
    await marker.waitFor();
    const slider = teacher.getByRole('slider', { name: 'Playback position' });
    expect(await slider.getAttribute('aria-valuetext')).toMatch(/^0:00 of /);
    expect(await teacher.getByTestId('replay-text').textContent()).not.toContain(SENTENCE.slice(0, 10));
    await teacher.getByRole('checkbox', { name: 'Skip idle stretches' }).focus();
    await tabTo(teacher, marker, 3);
    await teacher.keyboard.press('Enter');
    const at = /at (\d+:\d\d): jump/.exec((await marker.getAttribute('aria-label'))!)![1]!;
    await expect.poll(() => slider.getAttribute('aria-valuetext')).toMatch(new RegExp(`^${at} of `));
    // The text at that moment: the paste has not landed yet at its own start, the sentence has.
    expect(await teacher.getByTestId('replay-text').textContent()).toContain(SENTENCE.slice(0, 10));

    // The monitoring: events by type, the timeline of anomalies, the analysis.
    const monitoring = teacher.getByRole('region', { name: 'Monitoring' });
    expect(await monitoring.getByRole('table', { name: /Events by type/ }).textContent()).toContain('text.op');
    expect(await monitoring.getByRole('table', { name: /Live alerts by severity/ }).count()).toBe(1);
    expect(await monitoring.getByRole('table', { name: /Timeline of anomalies/ }).textContent()).toContain('external paste');
    expect(await monitoring.getByTestId('analysis-status').textContent()).toBe('done');
    expect(await a11yViolations(teacher)).toEqual([]);

    // 5. The decision, by keyboard: dismiss with a note for the reviewers and one for the student.
    const card = teacher.getByRole('region', { name: /^external paste/ });
    const decide = card.getByRole('button', { name: 'Decide on the external paste flag' });
    await decide.focus();
    await teacher.keyboard.press('Enter');
    const dialog = teacher.getByRole('dialog', { name: 'Decide on the external paste flag' });
    await dialog.waitFor();
    expect(await a11yViolations(teacher)).toEqual([]);
    await dialog.getByRole('radio', { name: 'Confirm' }).focus();
    await teacher.keyboard.press('ArrowDown');
    expect(await dialog.getByRole('radio', { name: 'Dismiss' }).isChecked()).toBe(true);
    await tabTo(teacher, dialog.getByRole('textbox', { name: /Note for the reviewers/ }), 3);
    await teacher.keyboard.type(NOTE);
    await tabTo(teacher, dialog.getByRole('textbox', { name: 'Note to the student (optional)' }), 3);
    await teacher.keyboard.type(NOTE_TO_STUDENT);
    await tabTo(teacher, dialog.getByRole('button', { name: 'Dismiss the flag' }), 4);
    await teacher.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await teacher.getByRole('status').filter({ hasText: 'The external paste flag is dismissed.' }).waitFor();
    await expect.poll(() => marker.count()).toBe(0);
    await markers.getByRole('button', { name: /external paste flag \(dismissed\), occurrence 1 of 1/ }).waitFor();
    expect(await a11yViolations(teacher)).toEqual([]);
    const decided = await detailOf(flag!);
    expect(decided.state).toBe('dismissed');
    expect(decided.decisions.map((d) => [d.decision, d.note])).toEqual([['dismiss', NOTE]]);

    // The score and the release, from the same page.
    const score = teacher.getByRole('region', { name: 'Score and results' });
    await score.getByRole('textbox', { name: 'Score (0 to 20)' }).fill('14');
    await score.getByRole('button', { name: 'Save the score' }).click();
    await expect.poll(() => score.getByTestId('attempt-score').textContent()).toContain('14 of 20, passed');
    await score.getByRole('button', { name: 'Release the results to students' }).click();
    await expect.poll(() => score.getByTestId('results-release').textContent()).toContain('Released to the students');
    expect(await a11yViolations(teacher)).toEqual([]);

    // 6. The student sees the outcome on /my/flags, with the note meant for them, and answers.
    await student.goto(`${web.url}/my/flags`);
    const own = student.getByRole('region', { name: /^external paste/ });
    await own.waitFor();
    expect(await own.textContent()).toContain('dismissed. A reviewer dismissed it: it is not held against you.');
    expect(await own.getByRole('list', { name: 'Notes to you on the external paste flag' }).textContent()).toContain(NOTE_TO_STUDENT);
    expect(await own.textContent()).not.toContain(NOTE);
    expect(await a11yViolations(student)).toEqual([]);
    await own.getByRole('textbox', { name: 'Your answer' }).fill(ANSWER);
    await own.getByRole('button', { name: 'Send the answer' }).click();
    await own.getByRole('status').filter({ hasText: 'Your explanation is sent' }).waitFor();
    await expect.poll(() => own.getByRole('list', { name: 'Your answers to the external paste flag' }).textContent()).toContain(ANSWER);
    expect(await a11yViolations(student)).toEqual([]);
    expect((await detailOf(flag!)).answers.map((a) => a.text)).toEqual([ANSWER]);

    // And the result on /my/exams, now released.
    await student.goto(`${web.url}/my/exams`);
    await expect.poll(() => resultRow.textContent()).toContain('14 / 20, passed');
    expect(await a11yViolations(student)).toEqual([]);
    await student.close();
    await teacher.close();
  });
});
