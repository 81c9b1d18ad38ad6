import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { DEMO_PASSWORD, importSimulated, startWebServer, type WebServer, signedInPage } from '../../testing/real-server';

// The webhooks page on the real server, with a real receiver on this host (the server is told to
// allow private addresses, as the tests must): an administrator adds an endpoint (its secret shown
// once), an event's message reaches the receiver after a refused first attempt and its log shows
// both attempts, the message is sent again, the secret is rotated, and the endpoint is disabled.

let web: WebServer;
let browser: Browser;
let receiver: Server;
let hookUrl: string;
const got: { id: string; status: number }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      // The first attempt of each message is refused.
      const status = got.some((g) => g.id === id) ? 200 : 503;
      got.push({ id, status });
      res.writeHead(status).end(status === 200 ? 'thanks' : 'busy, retry');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  web = await startWebServer('webhooks-web', { webhooks: { allowPrivate: true, attempts: 5, retryBaseMs: 200, timeoutMs: 5000 } });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

describe('the webhooks page', () => {
  it('adds an endpoint (secret shown once), shows its delivery log, sends again, rotates the secret and disables it; passes axe', async () => {
    const page = await signedInPage(browser, web, '/admin/webhooks', web.people.admin.email);
    await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
    await page.getByText('No webhook endpoint yet.').waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Add an endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an endpoint' });
    await dialog.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    // No event chosen: refused in the dialog.
    for (const box of await dialog.getByRole('checkbox').all()) await box.uncheck();
    await dialog.getByRole('textbox', { name: 'URL' }).fill(hookUrl);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose at least one event.' }).waitFor();
    await dialog.getByRole('checkbox', { name: /analysis\.done/ }).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    const secret = await page.getByTestId('one-time-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    const row = page.getByRole('row', { name: new RegExp(hookUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) });
    await row.waitFor();
    expect(await row.textContent()).toContain('analysis.done');
    expect(await row.textContent()).toContain('Enabled');

    // An analysed session of the institution: its analysis.done reaches the receiver on the second attempt.
    await importSimulated(web, web.people.teacher.email, DEMO_PASSWORD, 'paste', 7, 'Hooked essay');
    await expect.poll(() => got.filter((g) => g.status === 200).length, { timeout: 60_000 }).toBe(1);
    await row.getByRole('button', { name: /Delivery log/ }).click();
    const log = page.getByRole('region', { name: /Delivery log of/ });
    await log.waitFor();
    const message = log.getByRole('row', { name: /msg_/ });
    await message.waitFor();
    expect(await message.textContent()).toContain('delivered');
    expect(await message.textContent()).toMatch(/503 in \d+ ms[\s\S]*200 in \d+ ms/);
    expect(await a11yViolations(page)).toEqual([]);

    // Sent again: the same id reaches the receiver once more.
    await message.getByRole('button', { name: /Send again msg_/ }).click();
    await log.getByRole('status').filter({ hasText: 'queued to be sent again' }).waitFor();
    await expect.poll(() => got.length, { timeout: 30_000 }).toBe(3);
    expect(new Set(got.map((g) => g.id)).size).toBe(1);

    // Rotating shows a new secret, once; the old one still signs for a day.
    await row.getByRole('button', { name: /Rotate secret of/ }).click();
    const confirm = page.getByRole('dialog', { name: /Rotate the secret of/ });
    await confirm.getByRole('button', { name: 'Rotate' }).click();
    await confirm.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('one-time-secret').inputValue()).not.toBe(secret);
    expect(await page.getByTestId('one-time-secret').inputValue()).toMatch(/^whsec_/);
    await row.getByText(/previous secret signs too until/).waitFor();

    // Disabled by the admin: the row says so.
    await row.getByRole('button', { name: /^Change / }).click();
    const change = page.getByRole('dialog', { name: /^Change / });
    await change.getByRole('checkbox', { name: 'Enabled' }).uncheck();
    await change.getByRole('button', { name: 'Save' }).click();
    await change.waitFor({ state: 'detached' });
    await row.getByText(/Disabled .*disabled by an admin/).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.context().close();
  });
});
