import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, ROLE, startDeepLinkReturn, startTestPlatform, type DeepLinkReturn, type TestPlatform } from '@veritas/server/testing/lti';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, DEMO_PASSWORD, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';

// Deep linking (LTI Deep Linking 2.0) in real Chromium on the real server, against the test LMS: the
// teacher's deep-linking launch opens the exam picker; with the keyboard alone they set up an exam
// there and add it; the answer page posts the signed response on to the LMS, which verifies it
// against Veritas's JWKS and records what was placed. The answer page works under its own CSP (its
// script allowed by hash) and, without scripts, by its button. axe on the picker at each step.

let web: WebServer;
let browser: Browser;
let platform: TestPlatform;
let lms: DeepLinkReturn;
let loginUrl: string;

/** A deep-linking launch by the demo teacher (linked by address): where the launch sends the browser. */
async function deepLinkingLaunch(title?: string): Promise<string> {
  const spec = lms.request(
    { sub: 'lms-teacher', roles: [ROLE.instructor], email: web.people.teacher.email, context: { id: 'course-7b', title: 'Geography 7B' } },
    title ? { title } : {},
  );
  const r = await launch(loginUrl, platform, spec);
  if (r.status !== 303 || !r.location) throw new Error(`deep-linking launch answered ${r.status}: ${JSON.stringify(r.problem)}`);
  return r.location;
}

/** A page outside Veritas (no scripts of ours, the CSP enforced) that posts the picker's form as the browser would. */
async function postPickerForm(page: Page, location: string, fields: Record<string, string>): Promise<void> {
  const token = /\/lti\/deep-link\/([^?]+)/.exec(location)![1]!;
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${k}" value="${v}">`)
    .join('');
  await page.setContent(`<form method="post" action="${web.url}/v1/lti/deep-links/${token}/response">${inputs}<button>Send</button></form>`);
  await page.getByRole('button', { name: 'Send' }).click();
}

beforeAll(async () => {
  web = await startWebServer('lti-deep-link');
  browser = await launchChromium();
  platform = await startTestPlatform();
  platform.toolJwksUrl = `${web.url}/v1/lti/jwks`;
  lms = await startDeepLinkReturn(platform);
  const token = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
  const res = await fetch(`${web.url}/v1/admin/lti/registrations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Test LMS',
      issuer: platform.issuer,
      clientId: platform.clientId,
      deploymentIds: [platform.deploymentId],
      jwksUrl: platform.jwksUrl,
      authEndpoint: platform.authEndpoint,
      tokenEndpoint: platform.tokenEndpoint,
    }),
  });
  if (res.status !== 201) throw new Error(`registering the LMS answered ${res.status}: ${await res.text()}`);
  loginUrl = ((await res.json()) as { loginUrl: string }).loginUrl;
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await lms?.close();
  await platform?.close();
  await web?.close();
});

describe('the exam picker inside the LMS (deep linking)', () => {
  it('sets up an exam and adds it to the course with the keyboard alone; the LMS verifies what was placed; passes axe', async () => {
    const location = await deepLinkingLaunch('Rivers quiz');
    const page = await signedInPage(browser, web, '/exams', web.people.teacher.email);
    await page.goto(`${web.url}${location}`);
    await page.getByRole('heading', { name: 'Add a Veritas exam to the course', level: 1 }).waitFor();
    await page.getByText('Test LMS asked for a Veritas exam', { exact: false }).waitFor();
    const title = page.getByRole('textbox', { name: 'Title' });
    expect(await title.inputValue()).toBe('Rivers quiz');
    expect(await a11yViolations(page)).toEqual([]);

    // Keyboard only: the title, the kind (kept), the button.
    await title.focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText('Rivers of Europe');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: '“Rivers of Europe” was set up and is selected below' }).waitFor();
    const radio = page.getByRole('radio', { name: /Rivers of Europe/ });
    await radio.waitFor();
    expect(await radio.isChecked()).toBe(true);
    expect(await a11yViolations(page)).toEqual([]);

    // Add it: the form goes to Veritas, whose answer page posts the signed response on to the LMS.
    await page.getByRole('button', { name: 'Add to the course' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(lms.returnUrl);
    await page.getByText('Placed 1 item(s): Rivers of Europe').waitFor();
    expect(lms.refusals).toEqual([]);
    const teacher = await accessTokenOf(web.url, web.people.teacher.email, DEMO_PASSWORD);
    const exams = (await (await fetch(`${web.url}/v1/exams?limit=100`, { headers: { authorization: `Bearer ${teacher}` } })).json()) as {
      items: { id: string; title: string }[];
    };
    const made = exams.items.find((e) => e.title === 'Rivers of Europe');
    expect(made).toBeDefined();
    expect(lms.placements).toHaveLength(1);
    expect(lms.placements[0]!.items).toEqual([
      { type: 'ltiResourceLink', url: `${web.url}/v1/lti/launch`, title: 'Rivers of Europe', custom: { veritas_exam_id: made!.id } },
    ]);
    await page.close();
  });

  it('the answer page posts itself under its own CSP (script by hash), and without scripts its button does it from the keyboard', async () => {
    // Scripts on, the CSP enforced: the answer reaches the LMS by itself.
    const strict = await browser.newContext();
    const auto = await strict.newPage();
    await postPickerForm(auto, await deepLinkingLaunch(), { action: 'cancel' });
    await auto.waitForURL(lms.returnUrl);
    await expect.poll(() => lms.placements.length).toBe(2);
    expect(lms.placements[1]!.items).toEqual([]);
    await strict.close();

    // Scripts off: the page waits, says where it goes, and its button sends it.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    const page = await plain.newPage();
    await postPickerForm(page, await deepLinkingLaunch(), { action: 'cancel' });
    await page.getByRole('heading', { name: 'Back to the course', level: 1 }).waitFor();
    expect(lms.placements).toHaveLength(2);
    await page.getByRole('button', { name: 'Return to the course' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(lms.returnUrl);
    expect(lms.placements).toHaveLength(3);
    expect(lms.refusals).toEqual([]);
    await plain.close();
  });
});
