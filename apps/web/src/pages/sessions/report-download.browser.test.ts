import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, importSimulated, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';

// The PDF report from the process report page, on the real server: the demo student's essay is
// analysed, the student and then their teacher press "Download PDF report", and both get the same PDF.

let web: WebServer;
let browser: Browser;
let sessionId: string;

beforeAll(async () => {
  web = await startWebServer('report-pdf-web');
  sessionId = await importSimulated(web, web.people.student.email, DEMO_PASSWORD, 'genuine', 21, 'Sam: an essay for the PDF');
  const token = await accessTokenOf(web.url, web.people.student.email, DEMO_PASSWORD);
  // The analysis runs as a job; the report page offers the PDF once it is done.
  await vi.waitFor(
    async () => {
      const r = await fetch(`${web.url}/v1/sessions/${sessionId}/report`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 200) throw new Error(`report answered ${r.status}`);
    },
    { timeout: 60_000, interval: 200 },
  );
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function downloadFrom(page: Page): Promise<Buffer> {
  const button = page.getByRole('button', { name: 'Download PDF report' });
  await button.waitFor();
  expect(await a11yViolations(page)).toEqual([]);
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  expect(download.suggestedFilename()).toBe(`veritas-report-${sessionId}.pdf`);
  return readFile((await download.path())!);
}

describe('the PDF report from the process report page', () => {
  it('downloads the same PDF for the student and for their teacher', async () => {
    const student = await signedInPage(browser, web, `/report/${sessionId}`, web.people.student.email);
    const mine = await downloadFrom(student);
    expect(mine.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(mine.toString('latin1')).toContain('/VeritasChainHead');
    const teacher = await signedInPage(browser, web, `/report/${sessionId}`, web.people.teacher.email);
    expect((await downloadFrom(teacher)).equals(mine)).toBe(true);
  });
});
