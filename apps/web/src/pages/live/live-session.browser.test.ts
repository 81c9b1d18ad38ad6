import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { macKeyFromToken, type VeritasEvent } from '@veritas/schema';
import { simulate, toBatches } from '@veritas/simulator';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations, newA11yPage, writingEvents } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, fillSignIn } from '../../testing/real-server';
import { startRestartableServer, type RestartableServer } from '../../testing/server-process';
import { SessionWriter, textOf } from '../../testing/session-writer';

// The live page on a real server process, in Chromium with its own EventSource: a public sensor
// session watched with no account (charts that grow as samples arrive), and a student's writing
// watched by their teacher through a ticket. In both the server is killed mid-stream and started
// again on the same data: the page ends with every event, none twice.

let server: RestartableServer;
let browser: Browser;

beforeAll(async () => {
  server = await startRestartableServer('live-web');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A session as its recorder makes it: the id and the write token that seals and sends its batches. */
async function createSession(body: object, token?: string): Promise<{ id: string; writeToken: string }> {
  const res = await fetch(`${server.url}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`create session: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; writeToken: string };
}

/** Sends the batches in order (each committed before the next), as the recorder does. */
async function send(id: string, writeToken: string, batches: unknown[]): Promise<void> {
  for (const b of batches) {
    const res = await fetch(`${server.url}/v1/sessions/${id}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writeToken}` },
      body: JSON.stringify(b),
    });
    if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
  }
}

async function end(id: string, writeToken: string): Promise<void> {
  const res = await fetch(`${server.url}/v1/sessions/${id}/end`, { method: 'POST', headers: { authorization: `Bearer ${writeToken}` } });
  if (!res.ok) throw new Error(`end: ${res.status} ${await res.text()}`);
}

/** What the page says it received: events, the last seq, duplicates (data attributes of its status line). */
async function received(page: Page): Promise<{ state: string; events: number; lastSeq: number; duplicates: number }> {
  const status = page.getByTestId('live-status');
  const [state, events, lastSeq, duplicates] = await Promise.all(
    ['data-state', 'data-received', 'data-last-seq', 'data-duplicates'].map((a) => status.getAttribute(a)),
  );
  return { state: state ?? '', events: Number(events), lastSeq: Number(lastSeq), duplicates: Number(duplicates) };
}

/** The text the writing view shows: its paragraphs (one element each) joined by line breaks. */
const shownText = (page: Page) =>
  page.getByRole('log', { name: 'The text as written' }).evaluate((el) => [...el.children].map((p) => p.textContent).join('\n'));

const samplesOf = async (page: Page, kind: string) => Number(await page.getByTestId(`channel-${kind}`).getAttribute('data-samples'));

/** Kills the server mid-stream, sees the page lose it, and starts it again on the same port and data. */
async function restartUnder(page: Page): Promise<void> {
  await server.kill();
  await expect.poll(async () => (await received(page)).state).toBe('reconnecting');
  await server.restart();
}

describe('the live page of a public sensor session (no account)', () => {
  it('grows its charts as samples arrive, says the latest values and tabulates them, and loses nothing across a server restart', async () => {
    const { id, writeToken } = await createSession({ kind: 'sensor', meta: { title: 'Phone on the desk' } });
    const sim = simulate('sensor', 7, { durationMs: 12_000 });
    const events = sim.events;
    const batches = await toBatches(events, id, { batchSize: 4, macKey: await macKeyFromToken(writeToken) });
    const samples = (kind: string, upTo = events.length) =>
      events.slice(0, upTo).reduce((n, e) => n + (e.type === 'sensor' && e.data.kind === kind ? e.data.samples.length : 0), 0);

    const page = await newA11yPage(browser, { viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/live/${id}`);
    await page.getByRole('heading', { name: 'Live: Phone on the desk', level: 1 }).waitFor();
    await expect.poll(async () => (await received(page)).state).toBe('live');
    await page.getByTestId('no-samples').waitFor();

    // The first batches: a chart per channel, with lines; then more, and the charts grow.
    await send(id, writeToken, batches.slice(0, 3));
    await expect.poll(() => samplesOf(page, 'accel')).toBe(samples('accel', 12));
    const linesBefore = await page.getByTestId('channel-accel').locator('.recharts-line-curve').count();
    expect(linesBefore).toBe(3); // x, y, z
    const pathBefore = (await page.getByTestId('channel-accel').locator('.recharts-line-curve').first().getAttribute('d')) ?? '';
    await send(id, writeToken, batches.slice(3, 8));
    await expect.poll(() => samplesOf(page, 'accel')).toBe(samples('accel', 32));
    await expect.poll(() => samplesOf(page, 'gyro')).toBe(samples('gyro', 32));
    const pathAfter = (await page.getByTestId('channel-accel').locator('.recharts-line-curve').first().getAttribute('d')) ?? '';
    expect(pathAfter).not.toBe(pathBefore);

    // The text alternatives: the latest values in words, and the latest samples as a table.
    const lastAccel = events.slice(0, 32).findLast((e) => e.type === 'sensor' && e.data.kind === 'accel')!;
    const lastRow = (lastAccel as Extract<VeritasEvent, { type: 'sensor' }>).data.samples.at(-1)!;
    expect(await page.getByTestId('latest-accel').textContent()).toContain(`x ${lastRow[1]!.toFixed(3)}`);
    await page.getByText('Latest 10 samples of accel').click();
    const table = page.getByRole('table', { name: 'Latest samples of accel, newest first' });
    expect(await table.getByRole('row').count()).toBe(11);
    expect(await table.getByRole('row').nth(1).textContent()).toContain(`${(lastRow[0]! / 1000).toFixed(2)} s`);
    expect(await a11yViolations(page)).toEqual([]);

    // Killed mid-stream; what is sent while the page reconnects and after reaches it once.
    await restartUnder(page);
    await send(id, writeToken, batches.slice(8));
    await end(id, writeToken);
    await expect.poll(async () => (await received(page)).state).toBe('ended');
    expect(await received(page)).toEqual({ state: 'ended', events: events.length, lastSeq: events.length - 1, duplicates: 0 });
    expect(await samplesOf(page, 'accel')).toBe(samples('accel'));
    expect(await samplesOf(page, 'gyro')).toBe(samples('gyro'));
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("a student's writing, live, for their teacher", () => {
  it('shows the text as it is written through a ticketed stream, and ends with every event once across a server restart', async () => {
    const studentToken = await accessTokenOf(server.url, server.people.student.email, DEMO_PASSWORD);
    const { id, writeToken } = await createSession({ kind: 'writing', meta: { title: 'Essay on rivers' } }, studentToken);
    const events = writingEvents(60);
    const batches = await toBatches(events, id, { batchSize: 20, macKey: await macKeyFromToken(writeToken) });

    // Signed out, the session is not theirs to watch.
    const stranger = await newA11yPage(browser);
    await stranger.goto(`${server.url}/live/${id}`);
    await stranger.getByRole('alert').filter({ hasText: 'Could not load the session' }).waitFor();
    await stranger.close();

    const page = await newA11yPage(browser, { viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/live/${id}`)}`);
    await fillSignIn(page, server.people.teacher.email);
    await page.getByRole('heading', { name: 'Live: Essay on rivers', level: 1 }).waitFor();
    await expect.poll(async () => (await received(page)).state).toBe('live');

    await send(id, writeToken, batches.slice(0, 3));
    await expect.poll(() => shownText(page)).toBe(textOf(events.slice(0, 60)));
    await send(id, writeToken, batches.slice(3, 12));
    await expect.poll(() => shownText(page)).toBe(textOf(events.slice(0, 240)));
    expect(await page.getByTestId('writing-stats').textContent()).toContain('Pastes1 (23 characters)');
    expect(await a11yViolations(page)).toEqual([]);

    await restartUnder(page);
    await send(id, writeToken, batches.slice(8));
    await end(id, writeToken);
    await expect.poll(async () => (await received(page)).state).toBe('ended');
    expect(await received(page)).toEqual({ state: 'ended', events: events.length, lastSeq: events.length - 1, duplicates: 0 });
    expect(await shownText(page)).toBe(textOf(events.slice(0, events.length)));
    expect(await page.getByRole('link', { name: 'Open the full replay' }).getAttribute('href')).toBe(`/replay/${id}`);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});

describe("the exam's live monitor across a server restart", () => {
  it('reconnects its view and its alerts socket with new tickets: an alert still waiting comes back once, a new one arrives', async () => {
    const teacherToken = await accessTokenOf(server.url, server.people.teacher.email, DEMO_PASSWORD);
    const now = Date.now();
    const created = await fetch(`${server.url}/v1/exams`, {
      method: 'POST',
      headers: { authorization: `Bearer ${teacherToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Restart drill',
        kind: 'writing',
        maxScore: 10,
        passMark: 5,
        durationMinutes: 60,
        opensAt: new Date(now - 60_000).toISOString(),
        closesAt: new Date(now + 3_600_000).toISOString(),
        classIds: ['c-demo'],
      }),
    });
    expect(created.status).toBe(201);
    const exam = (await created.json()) as { id: string };
    const studentToken = await accessTokenOf(server.url, server.people.student.email, DEMO_PASSWORD);
    const attempt = await fetch(`${server.url}/v1/exams/${exam.id}/attempts`, { method: 'POST', headers: { authorization: `Bearer ${studentToken}` } });
    const started = (await attempt.json()) as { attempt: { sessionId: string }; writeToken: string };
    const writer = new SessionWriter(() => server.url, started.attempt.sessionId, started.writeToken);
    const events = writingEvents(10).filter((e) => e.type !== 'visibility');
    await writer.send(events.slice(0, 40));

    const page = await newA11yPage(browser, { viewport: { width: 1200, height: 900 } });
    await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(`/exams/${exam.id}/live`)}`);
    await fillSignIn(page, server.people.teacher.email);
    const state = (id: string) => page.getByTestId(id).getAttribute('data-state');
    await expect.poll(() => state('students-status')).toBe('live');
    await expect.poll(() => state('alerts-status')).toBe('live');
    await page.getByRole('row', { name: new RegExp(server.people.student.displayName) }).waitFor();

    const t = events[39]!.t;
    await writer.send([{ seq: 0, t: t + 1, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.97 } } as VeritasEvent]);
    const alerts = page.locator('[data-testid^="alert-"]:not([data-testid="alert-announcement"])');
    await expect.poll(() => alerts.count()).toBe(1);

    await server.kill();
    await expect.poll(() => state('alerts-status')).toBe('reconnecting');
    await server.restart();
    await writer.send([{ seq: 0, t: t + 2, type: 'violation', data: { kind: 'no_face', confidence: 0.97 } } as VeritasEvent]);
    await expect.poll(() => state('students-status')).toBe('live');
    await expect.poll(() => state('alerts-status')).toBe('live');
    await page.getByRole('button', { name: `Acknowledge no-face for ${server.people.student.displayName}` }).waitFor();
    // The waiting one was sent again on the new socket: still one card for it.
    expect(await alerts.count()).toBe(2);
    expect(await page.getByRole('button', { name: `Acknowledge several-faces for ${server.people.student.displayName}` }).count()).toBe(1);
    expect(await a11yViolations(page)).toEqual([]);
    await page.close();
  });
});
