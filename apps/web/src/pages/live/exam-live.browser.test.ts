import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { VeritasEvent } from '@veritas/schema';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations, writingEvents } from '../../testing/browser-harness';
import { accessTokenOf, addPerson, DEMO_PASSWORD, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';
import { SessionWriter, textOf } from '../../testing/session-writer';

// The exam's live monitor on the real server, in Chromium with its own EventSource and WebSocket:
// the teacher opens it from the exams list, sees the student in the grid, a critical alert (a
// proctoring violation) reaches both teachers of the exam, the co-teacher acknowledges it by
// keyboard and the teacher sees who did; Enter on the student opens their writing, live.

const TITLE = 'Rivers essay (live)';
const CO_TEACHER = {
  email: 'robin.teacher@demo.veritas.test',
  displayName: 'Robin Co-Teacher',
  password: 'a long co-teacher password',
  role: 'teacher' as const,
};

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('exam-live-web');
  await addPerson(web, CO_TEACHER);
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

const shownText = (page: Page) =>
  page.getByRole('log', { name: 'The text as written' }).evaluate((el) => [...el.children].map((p) => p.textContent).join('\n'));

describe("the exam's live monitor", () => {
  it('shows the students, pushes a critical alert to both teachers, shows the co-teacher’s acknowledgement, and opens a student’s writing live', async () => {
    const teacherToken = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
    const adminToken = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
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
    const coTeacher = (
      await call<{ items: { id: string; email: string }[] }>(`/v1/admin/users?q=${encodeURIComponent(CO_TEACHER.email)}&limit=5`, adminToken)
    ).items.find((u) => u.email === CO_TEACHER.email)!;
    await call(`/v1/exams/${exam.id}/co-teachers/${coTeacher.id}`, teacherToken, { method: 'PUT' });

    // The student starts and writes.
    const studentToken = await accessTokenOf(web.url, web.people.student.email, DEMO_PASSWORD);
    const started = await call<{ attempt: { sessionId: string }; writeToken: string }>(`/v1/exams/${exam.id}/attempts`, studentToken, { method: 'POST' });
    const writer = new SessionWriter(() => web.url, started.attempt.sessionId, started.writeToken);
    const events = writingEvents(30).filter((e) => e.type !== 'visibility');
    await writer.send(events.slice(0, 100));

    // The teacher goes there from the exams list.
    const teacher = await signedInPage(browser, web, '/exams', web.people.teacher.email);
    await teacher
      .getByRole('row', { name: new RegExp(TITLE.replace(/[()]/g, '\\$&')) })
      .getByRole('link', { name: 'Watch live' })
      .click();
    await teacher.getByRole('heading', { name: `Live: ${TITLE}`, level: 1 }).waitFor();
    const grid = teacher.getByRole('grid', { name: 'Students, live' });
    const row = grid.getByRole('row', { name: new RegExp(web.people.student.displayName) });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toMatch(/Online|Idle/);
    expect(await teacher.getByTestId('alerts-status').getAttribute('data-state')).toBe('live');
    expect(await a11yViolations(teacher)).toEqual([]);

    const co = await signedInPage(browser, web, `/exams/${exam.id}/live`, CO_TEACHER.email, CO_TEACHER.password);
    await co.getByTestId('alerts-status').and(co.locator('[data-state="live"]')).waitFor();

    // A proctoring violation: a critical alert, pushed to both teachers' sockets.
    const last = events[99]!;
    await writer.send([{ seq: 0, t: last.t + 1, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.97 } } as VeritasEvent]);
    const ackButton = (page: Page) => page.getByRole('button', { name: `Acknowledge several-faces for ${web.people.student.displayName}` });
    await ackButton(teacher).waitFor();
    await ackButton(co).waitFor();
    expect(await teacher.getByTestId('alert-announcement').textContent()).toContain(`Alert: ${web.people.student.displayName}, several-faces.`);
    await expect.poll(() => row.textContent()).toMatch(/1$/); // one open alert in the grid
    expect(await a11yViolations(teacher)).toEqual([]);

    // The co-teacher acknowledges by keyboard; the teacher's page says who.
    await ackButton(co).focus();
    await co.keyboard.press('Enter');
    await co.getByText(`Acknowledged by ${CO_TEACHER.displayName}`).waitFor();
    await teacher.getByText(`Acknowledged by ${CO_TEACHER.displayName}`).waitFor();
    expect(await ackButton(teacher).count()).toBe(0);
    await co.close();

    // Enter on the student's row opens their writing, which goes on live.
    await teacher.getByRole('link', { name: 'All exams' }).focus();
    await teacher.keyboard.press('Tab');
    const focusedRole = () => teacher.evaluate(() => document.activeElement?.getAttribute('role'));
    await expect.poll(focusedRole).toBe('row');
    // Arrows move through the grid: into the row's cells and back.
    await teacher.keyboard.press('ArrowRight');
    await expect.poll(focusedRole).toBe('rowheader');
    await teacher.keyboard.press('ArrowRight');
    await expect.poll(() => teacher.evaluate(() => document.activeElement?.textContent)).toMatch(/Online|Idle|Offline/);
    await teacher.keyboard.press('ArrowLeft');
    await teacher.keyboard.press('ArrowLeft');
    await expect.poll(focusedRole).toBe('row');
    await teacher.keyboard.press('Enter');
    await teacher.getByRole('heading', { name: `Watching ${web.people.student.displayName}` }).waitFor();
    await expect.poll(() => teacher.evaluate(() => document.activeElement?.id)).toBe('watching-h');
    await expect.poll(() => shownText(teacher)).toBe(textOf(events.slice(0, 100)));
    await writer.send(events.slice(100, 180));
    await expect.poll(() => shownText(teacher)).toBe(textOf(events.slice(0, 180)));
    expect(await a11yViolations(teacher)).toEqual([]);
    await teacher.close();
  });
});
