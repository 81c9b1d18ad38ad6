import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../../../../scripts/test-support/chromium';
import { a11yViolations } from '../../testing/browser-harness';
import { accessTokenOf, addPerson, DEMO_PASSWORD, signedInPage, startWebServer, type WebServer } from '../../testing/real-server';

// The class pages on the real server: an admin and a teacher manage classes and their students
// (keyboard and axe included), an observer only reads, and what the page shows is what the API says.

let web: WebServer;
let browser: Browser;

beforeAll(async () => {
  web = await startWebServer('classes-web');
  await addPerson(web, { email: 'rui@demo.veritas.test', role: 'student', displayName: 'Rui Student', password: 'rui-secret-passphrase' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

/** The class's student names, from the API (the page must agree with it). */
async function membersOf(name: string, email = web.people.admin.email): Promise<string[]> {
  const token = await accessTokenOf(web.url, email, DEMO_PASSWORD);
  const headers = { authorization: `Bearer ${token}` };
  const list = (await (await fetch(`${web.url}/v1/classes?limit=100`, { headers })).json()) as { items: { id: string; name: string }[] };
  const found = list.items.find((c) => c.name === name);
  if (!found) return [];
  const detail = (await (await fetch(`${web.url}/v1/classes/${found.id}`, { headers })).json()) as { members: { displayName: string }[] };
  return detail.members.map((m) => m.displayName).sort();
}

describe('an administrator', () => {
  it('creates a class for a teacher, adds and removes a student (the dialog by keyboard), renames it and deletes it; every state passes axe', async () => {
    const page = await signedInPage(browser, web, '/admin/classes', web.people.admin.email);
    const demo = page.getByRole('row', { name: /Demo class/ });
    await demo.waitFor();
    // The teachers' names are read beside the classes: the row names its teacher once both are in.
    await expect.poll(() => demo.textContent(), { timeout: 10_000 }).toContain('Tom Teacher');
    expect(await a11yViolations(page)).toEqual([]);

    // A class without a teacher is refused by the page before any request.
    await page.getByRole('textbox', { name: 'Class name' }).fill('Year 9 History');
    await page.getByRole('button', { name: 'Create the class' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose the class’s teacher.' }).waitFor();
    await page
      .getByRole('button', { name: /^Choose a teacher Teacher$|Teacher$/ })
      .first()
      .click();
    await page.getByRole('option', { name: 'Tom Teacher' }).click();
    await page.getByRole('button', { name: 'Create the class' }).click();
    await page.getByRole('heading', { name: 'Year 9 History', level: 1 }).waitFor();
    await page.getByText('No student is in this class yet.').waitFor();
    expect(await a11yViolations(page)).toEqual([]);

    // Find and add a student.
    await page.getByRole('textbox', { name: 'Student name or email contains' }).fill('rui');
    await page.getByRole('button', { name: 'Find students' }).click();
    await page.getByRole('button', { name: 'Add Rui Student to the class' }).click();
    await page.getByRole('status').filter({ hasText: 'Rui Student is in Year 9 History.' }).waitFor();
    const rui = page.getByRole('row', { name: /Rui Student/ });
    await rui.waitFor();
    await expect.poll(() => page.getByRole('list', { name: 'Students found' }).textContent()).toContain('already in the class');
    expect(await membersOf('Year 9 History')).toEqual(['Rui Student']);
    expect(await a11yViolations(page)).toEqual([]);

    // Removing asks first; Escape keeps the student and gives focus back.
    const remove = rui.getByRole('button', { name: 'Remove Rui Student from the class' });
    await remove.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Remove Rui Student from Year 9 History?' });
    await dialog.waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => remove.evaluate((b) => b === document.activeElement), { timeout: 10_000 }).toBe(true);
    expect(await membersOf('Year 9 History')).toEqual(['Rui Student']);
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No student is in this class yet.').waitFor();
    expect(await membersOf('Year 9 History')).toEqual([]);

    // Rename.
    const name = page.getByRole('textbox', { name: 'Class name' });
    await name.fill('Year 9 Modern History');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { name: 'Year 9 Modern History', level: 1 }).waitFor();

    // Delete: back to the list, which no longer has it.
    await page.getByRole('button', { name: 'Delete the class' }).click();
    await page.getByRole('dialog', { name: 'Delete Year 9 Modern History?' }).getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL('**/admin/classes');
    await demo.waitFor();
    expect(await page.getByRole('row', { name: /Year 9/ }).count()).toBe(0);
    expect(await membersOf('Year 9 Modern History')).toEqual([]);
    await page.close();
  });
});

describe('a teacher', () => {
  it('sees their class under /classes with its students and adds one; passes axe', async () => {
    const page = await signedInPage(browser, web, '/classes', web.people.teacher.email);
    await page.getByRole('link', { name: 'Demo class' }).click();
    await page.getByRole('heading', { name: 'Demo class', level: 1 }).waitFor();
    await page.getByRole('row', { name: /Sam Student/ }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Student name or email contains' }).fill('rui@');
    await page.getByRole('button', { name: 'Find students' }).click();
    await page.getByRole('button', { name: 'Add Rui Student to the class' }).click();
    await page.getByRole('row', { name: /Rui Student/ }).waitFor();
    expect(await membersOf('Demo class', web.people.teacher.email)).toEqual(['Rui Student', 'Sam Student']);
    // No teacher to choose: a teacher's classes are their own.
    expect(await page.getByRole('button', { name: /Teacher$/ }).count()).toBe(0);
    await page.close();
  });
});

describe('an observer', () => {
  it('reads the classes of the teacher they are attached to, with nothing to change; passes axe', async () => {
    const page = await signedInPage(browser, web, '/classes', web.people.observer.email);
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Classes' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Demo class' }).click();
    await page.getByRole('row', { name: /Sam Student/ }).waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    expect(await page.getByRole('button', { name: /Remove|Add|Delete|Save|Create/ }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'New class' }).count()).toBe(0);
    await page.close();
  });
});
