import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { simulate } from '@veritas/simulator';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, addPerson, DEMO_PASSWORD, signedInPage, type WebServer } from '../../testing/real-server';
import { dropoutText, type DropoutLabel } from './dashboard-words';
import { call, createExam, takeExam, until } from './testing/dashboards-fixture';
import { ON_POSTGRES, startTestStorageWebServer } from '../../testing/test-storage-server';

// The dashboards on the real server (issue 12). Through the API: the demo teacher sets an exam for
// Demo class; Sam (the demo student) writes an honest essay and Paula pastes one; the analysis runs,
// the paste is flagged, the teacher scores 15 and 5 and releases the results. Then, in Chromium, each
// page shows the numbers those steps make, passes axe, and is worked by keyboard: the student's
// dashboard, the teacher's, the exam's analytics (charts with their captions and tables, the CSV) and
// the student detail.

const TITLE = 'Essay on rivers';
const SECOND_TITLE = 'Essay on lakes';
const PAULA = { email: 'paula@demo.veritas.test', role: 'student' as const, displayName: 'Paula Paster', password: 'paula passphrase 2026' };

let web: WebServer;
let browser: Browser;
let teacherToken: string;
let examId: string;
let paulaId: string;
let sam: { attemptId: string; sessionId: string };
let paula: { attemptId: string; sessionId: string };

interface Analytics {
  exam: { resultsReleased: boolean };
  summary: { attempts: number; highRisk: number; flagged: number; pendingFlags: number; averageIntegrity: number | null };
  risk: Record<'low' | 'medium' | 'high' | 'notEnoughData' | 'notAnalysed', number>;
  students: { attemptId: string; standing: Record<string, { value: number | null; percentile: number | null }> }[];
  page: { total: number; next: string | null };
}
const analytics = () => call<Analytics>(web, `/v1/exams/${examId}/analytics`, teacherToken);

beforeAll(async () => {
  web = await startTestStorageWebServer('dashboards-web');
  teacherToken = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
  const adminToken = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
  await addPerson(web, PAULA);
  paulaId = (
    await call<{ items: { id: string; email: string }[] }>(web, `/v1/admin/users?q=${encodeURIComponent(PAULA.email)}&limit=5`, adminToken)
  ).items.find((u) => u.email === PAULA.email)!.id;
  await call(web, `/v1/classes/c-demo/members/${paulaId}`, teacherToken, { method: 'PUT' });
  examId = await createExam(web, teacherToken, TITLE, ['c-demo']);
  const samToken = await accessTokenOf(web.url, web.people.student.email, DEMO_PASSWORD);
  const paulaToken = await accessTokenOf(web.url, PAULA.email, PAULA.password);
  sam = await takeExam(web, samToken, examId, simulate('genuine', 1, { paragraphs: 1 }).events);
  paula = await takeExam(web, paulaToken, examId, simulate('paste', 1, { paragraphs: 2 }).events);
  // The analysis runs as a job after each submit; the review consolidates Paula's flags from it.
  await until('both analyses and the paste flags', async () => {
    const a = await analytics();
    return a.risk.notAnalysed === 0 && a.summary.pendingFlags > 0;
  });
  // Paula pastes a second essay, at another exam: two finished attempts give her a momentum and a dropout label.
  const lakes = await createExam(web, teacherToken, SECOND_TITLE, ['c-demo']);
  await takeExam(web, paulaToken, lakes, simulate('paste', 2, { paragraphs: 2 }).events);
  await until('the second exam analysed and flagged', async () => {
    const a = await call<Analytics>(web, `/v1/exams/${lakes}/analytics`, teacherToken);
    return a.risk.notAnalysed === 0 && a.summary.pendingFlags > 0;
  });
  await call(web, `/v1/attempts/${sam.attemptId}/score`, teacherToken, { method: 'PUT', body: { score: 15 } });
  await call(web, `/v1/attempts/${paula.attemptId}/score`, teacherToken, { method: 'PUT', body: { score: 5 } });
  browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** Presses Tab until `target` has the focus (at most `max` times): what a keyboard user does to reach it. */
async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the element was not reached by Tab');
}
/** The value of a summary tile, by its term. */
const tile = (page: Page, term: string) =>
  page
    .locator('.stat-list div')
    .filter({ has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) })
    .locator('dd');

describe(`the student's dashboard (${ON_POSTGRES ? 'postgres' : 'pglite'})`, () => {
  it('shows the profile, momentum and attempts; the score only once released; links each attempt to its process report by keyboard; passes axe', async () => {
    const page = await signedInPage(browser, web, '/my/dashboard', web.people.student.email);
    expect(await page.getByRole('navigation').getByRole('link', { name: 'My dashboard' }).count()).toBe(1);
    const row = page.getByRole('row', { name: new RegExp(TITLE) });
    await row.waitFor();
    // Scored, not released: the student sees no score yet.
    expect(await row.textContent()).toContain('not released');
    expect(await tile(page, 'Results released').textContent()).toBe('0');
    expect(await a11yViolations(page)).toEqual([]);

    await call(web, `/v1/exams/${examId}`, teacherToken, { method: 'PATCH', body: { resultsReleased: true } });
    await page.reload();
    await row.waitFor();
    expect(await row.textContent()).toContain('15 / 20');
    expect(await row.textContent()).toContain('passed');
    expect(await tile(page, 'Attempts').textContent()).toBe('1');
    expect(await tile(page, 'Results released').textContent()).toBe('1');
    expect(await tile(page, 'Passed').textContent()).toBe('1');
    expect(await tile(page, 'Average result').textContent()).toBe('75%');
    const profile = page.getByRole('region', { name: 'Profile' });
    expect(await profile.textContent()).toContain(web.people.student.email);
    expect(await profile.textContent()).toContain('DEMO-0001');
    // One finished attempt: too little history for the momentum rules, said as such with the rule's reason.
    const momentum = page.getByRole('region', { name: 'How your work is going' });
    expect(await momentum.textContent()).toContain('Not enough finished attempts yet');
    const mine = await call<{ momentum: { reason: string } }>(
      web,
      '/v1/students/me/dashboard',
      await accessTokenOf(web.url, web.people.student.email, DEMO_PASSWORD),
    );
    expect(await momentum.textContent()).toContain(mine.momentum.reason);
    expect(await a11yViolations(page)).toEqual([]);

    const report = row.getByRole('link', { name: `Process report: ${TITLE}` });
    expect(await report.getAttribute('href')).toBe(`/report/${sam.sessionId}`);
    await tabTo(page, report);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/report/${sam.sessionId}`);
    await page.close();
  });
});

describe("a student's dashboard with a dropout label", () => {
  it('shows Paula her momentum, the dropout label in plain words and the recommendations, as the API gives them; passes axe', async () => {
    const own = await call<{ momentum: { index: number | null; label: DropoutLabel | null; reason: string; recommendations: string[] } }>(
      web,
      '/v1/students/me/dashboard',
      await accessTokenOf(web.url, PAULA.email, PAULA.password),
    );
    expect(own.momentum.label).not.toBeNull();
    const page = await signedInPage(browser, web, '/my/dashboard', PAULA.email, PAULA.password);
    const momentum = page.getByRole('region', { name: 'How your work is going' });
    await momentum.waitFor();
    expect(await momentum.textContent()).toContain(`${own.momentum.index} of 100`);
    expect(await momentum.textContent()).toContain(dropoutText(own.momentum.label));
    expect(await momentum.getByRole('list', { name: 'What we suggest' }).getByRole('listitem').allTextContents()).toEqual(own.momentum.recommendations);
    expect(await tile(page, 'Attempts').textContent()).toBe('2');
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("the teacher's dashboard", () => {
  it('lists the exam with its counts, the flags waiting, and the triage queue with the paste first, linked to its review and student; passes axe', async () => {
    const a = await analytics();
    const page = await signedInPage(browser, web, '/dashboard', web.people.teacher.email);
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).count()).toBe(1);
    const exam = page.getByRole('row', { name: new RegExp(`^Analytics of ${TITLE}`) });
    await exam.waitFor();
    expect(await exam.getByRole('link', { name: `Analytics of ${TITLE}` }).getAttribute('href')).toBe(`/exams/${examId}/analytics`);
    const cells = await exam.getByRole('cell').allTextContents();
    // Yours, closes, attempts, in progress, finished, graded, flags waiting, results.
    const results = a.exam.resultsReleased ? 'released' : 'not released';
    expect([cells[0], ...cells.slice(2)]).toEqual(['owner', '2', '0', '2', '2', String(a.summary.pendingFlags), results]);
    // Flags waiting on all the teacher's exams: both essays'.
    const lakes = await call<{ pendingFlags: number; exams: { title: string; pendingFlags: number }[] }>(web, '/v1/teachers/me/dashboard', teacherToken);
    const waiting = lakes.exams.reduce((n, e) => n + e.pendingFlags, 0);
    expect(lakes.pendingFlags).toBe(waiting);
    expect(waiting).toBeGreaterThan(a.summary.pendingFlags);
    expect(await tile(page, 'Open alerts \\(flags waiting\\)').textContent()).toBe(String(waiting));
    // Paula's two pasted attempts (flags waiting) before Sam's.
    const students = await page.getByRole('table', { name: 'Attempts by unreviewed risk' }).getByRole('rowheader').allTextContents();
    expect(students).toEqual([PAULA.displayName, PAULA.displayName, 'Sam Student']);
    const review = page.getByRole('link', { name: `Review ${PAULA.displayName}’s attempt at ${TITLE}` });
    expect(await review.getAttribute('href')).toBe(`/review/sessions/${paula.sessionId}`);
    // One link to her detail per attempt of hers in the queue.
    expect(await page.getByRole('link', { name: `Student detail: ${PAULA.displayName}` }).count()).toBe(2);
    for (const link of await page.getByRole('link', { name: `Student detail: ${PAULA.displayName}` }).all())
      expect(await link.getAttribute('href')).toBe(`/students/${paulaId}`);
    expect(await a11yViolations(page)).toEqual([]);
    await tabTo(page, review);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/review/sessions/${paula.sessionId}`);
    await page.close();
  });
});

describe("an exam's analytics", () => {
  it('is reached from the exams list and shows the class numbers, the risk chart with its table, and each measure as a histogram with the chosen attempt marked; passes axe', async () => {
    const a = await analytics();
    const page = await signedInPage(browser, web, '/exams', web.people.teacher.email);
    await page
      .getByRole('row', { name: new RegExp(TITLE) })
      .getByRole('link', { name: 'Analytics' })
      .click();
    await page.waitForURL(`**/exams/${examId}/analytics`);
    await page.getByRole('heading', { name: `Analytics: ${TITLE}`, level: 1 }).waitFor();
    expect(await tile(page, 'Attempts').textContent()).toBe('2');
    expect(await tile(page, 'Students').textContent()).toBe('2');
    expect(await tile(page, 'Average score').textContent()).toBe('10 / 20');
    expect(await tile(page, 'Pass rate').textContent()).toBe('50%');
    expect(await tile(page, 'Average integrity').textContent()).toBe(`${Math.round(a.summary.averageIntegrity! * 100)}%`);
    expect(await tile(page, 'High risk').textContent()).toBe(String(a.summary.highRisk));
    expect(await tile(page, 'Flagged attempts').textContent()).toBe('1');
    // The breakdown is paged (50 rows a page): both attempts fit on the first, so there is no next page.
    await page.getByText('All 2 attempts, by name.').waitFor();
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);

    // The risk chart: drawn (hidden from assistive technology), said in its caption and its table.
    const risk = page.getByRole('figure', { name: /Risk distribution/ });
    expect(await risk.locator('svg.recharts-surface').count()).toBe(1);
    const riskTable = risk.getByRole('table', { name: 'Attempts by risk' });
    for (const [label, key] of [
      ['Low risk', 'low'],
      ['Medium risk', 'medium'],
      ['High risk', 'high'],
      ['Too little writing', 'notEnoughData'],
      ['Not analysed', 'notAnalysed'],
    ] as const) {
      expect(
        await riskTable
          .getByRole('row', { name: new RegExp(`^${label}`) })
          .getByRole('cell')
          .textContent(),
      ).toBe(String(a.risk[key]));
      expect(await risk.locator('figcaption').textContent()).toContain(`${label}: ${a.risk[key]}`);
    }
    // The data is reached by keyboard.
    await tabTo(page, risk.getByRole('region', { name: 'Risk distribution: the data' }));

    // Standings: Paula first by name; her paste share is above Sam's, so it ranks 75 and his 25.
    await page.getByRole('heading', { name: `Where ${PAULA.displayName} stands against the class` }).waitFor();
    const paste = () => page.getByRole('figure', { name: /Paste share of the final text/ });
    expect(await paste().locator('figcaption').textContent()).toContain(`${PAULA.displayName}: `);
    expect(await paste().locator('figcaption').textContent()).toContain('above 75% of the class');
    for (const title of ['Writing time', 'Pauses', 'Revisions \\(deletions\\)', 'Paste share of the final text']) {
      const fig = page.getByRole('figure', { name: new RegExp(`^${title}`) });
      expect(await fig.locator('svg.recharts-surface').count(), title).toBe(1);
      // Two attempts measured: the bins of the table hold both, one of them marked.
      const counts = (await fig.getByRole('table').locator('tbody tr td:nth-of-type(1)').allTextContents()).map(Number);
      expect(
        counts.reduce((x, y) => x + y, 0),
        title,
      ).toBe(2);
      expect(await fig.getByRole('table').locator('tbody tr td:nth-of-type(2)', { hasText: PAULA.displayName }).count(), title).toBe(1);
    }
    expect(await a11yViolations(page)).toEqual([]);

    // Sam placed in the class, by keyboard.
    const place = page.getByRole('link', { name: 'Place Sam Student in the class' });
    await tabTo(page, place);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Where Sam Student stands against the class' }).waitFor();
    expect(await paste().locator('figcaption').textContent()).toContain('above 25% of the class');
    expect(await a11yViolations(page)).toEqual([]);

    // The results as CSV, downloaded with the teacher's token.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the results (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`exam-${examId}-results.csv`);
    const csv = (await readFile((await download.path())!, 'utf8')).split('\r\n');
    expect(csv[0]).toBe('student,email,state,score,max_score,passed,integrity,risk,flags,pending_flags');
    expect(csv.find((l) => l.startsWith(PAULA.displayName))).toContain(`${PAULA.email},graded,5,20,false,`);
    expect(csv.find((l) => l.startsWith('Sam Student'))).toContain(',graded,15,20,true,');

    // On to Paula's detail from her row.
    await page.getByRole('link', { name: `Student detail: ${PAULA.displayName}` }).click();
    await page.waitForURL(`**/students/${paulaId}`);
    await page.getByRole('heading', { name: PAULA.displayName, level: 1 }).waitFor();
    await page.close();
  });
});

describe('the student detail', () => {
  it("shows the teacher Paula's profile, class, attempt with score and flags, and momentum; an observer reads it; a student may not; passes axe", async () => {
    const page = await signedInPage(browser, web, `/students/${paulaId}`, web.people.teacher.email);
    await page.getByRole('heading', { name: PAULA.displayName, level: 1 }).waitFor();
    const profile = page.getByRole('region', { name: 'Profile' });
    expect(await profile.textContent()).toContain(PAULA.email);
    expect(await profile.textContent()).toContain('Demo class (Tom Teacher)');
    const row = page.getByRole('row', { name: new RegExp(`^${TITLE}`) });
    await row.waitFor();
    expect(await row.textContent()).toContain('5 / 20');
    const a = await analytics();
    const flags = (a.students.find((s) => s.attemptId === paula.attemptId) as unknown as { flags: number; pendingFlags: number })!;
    expect(await row.getByRole('cell').nth(6).textContent()).toBe(`${flags.flags} (${flags.pendingFlags})`);
    expect(await tile(page, 'Passed').textContent()).toBe('0');
    expect(await tile(page, 'Average score').textContent()).toBe('25%');
    // Her momentum and dropout label, as the API gives them, with the recommendations in plain words.
    const detail = await call<{ momentum: { index: number | null; label: string | null; reason: string; recommendations: string[] } }>(
      web,
      `/v1/students/${paulaId}`,
      teacherToken,
    );
    expect(detail.momentum.label).not.toBeNull();
    const momentum = page.getByRole('region', { name: 'Momentum' });
    expect(await momentum.textContent()).toContain(`${detail.momentum.index} of 100`);
    expect(await momentum.textContent()).toContain(dropoutText(detail.momentum.label as DropoutLabel));
    expect(await momentum.textContent()).toContain(detail.momentum.reason);
    expect(detail.momentum.recommendations.length).toBeGreaterThan(0);
    expect(await momentum.getByRole('list', { name: 'Recommendations' }).getByRole('listitem').allTextContents()).toEqual(detail.momentum.recommendations);
    expect(await a11yViolations(page)).toEqual([]);
    const review = row.getByRole('link', { name: `Review the attempt at ${TITLE}` });
    await tabTo(page, review);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/review/sessions/${paula.sessionId}`);
    await page.close();

    const observer = await signedInPage(browser, web, `/students/${paulaId}`, web.people.observer.email);
    await observer.getByRole('heading', { name: PAULA.displayName, level: 1 }).waitFor();
    await observer.getByRole('row', { name: new RegExp(`^${TITLE}`) }).waitFor();
    expect(await a11yViolations(observer)).toEqual([]);
    await observer.close();

    const student = await signedInPage(browser, web, `/students/${paulaId}`, web.people.student.email);
    await student.getByRole('heading', { level: 1 }).waitFor();
    expect(await student.getByText(PAULA.email).count()).toBe(0);
    expect(await student.getByRole('link', { name: 'Go to your start page' }).count()).toBe(1);
    await student.close();
  });
});
