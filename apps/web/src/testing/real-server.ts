/**
 * Browser tests on the real server (Node only, never bundled): builds the web app, starts the API
 * with the embedded database, seeds the demo institution (one person per role), and adds people
 * through the real API (an invitation made and accepted), as an administrator would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, loadConfig, seedDemoPeople, startServer, type ConfigOverrides, type DemoPerson, type RunningServer } from '@veritas/server';
import type { Browser, Page } from 'playwright-core';
import { simulate, toBundle, type SimKind } from '@veritas/simulator';
import { buildWeb, newA11yPage } from './browser-harness';

export { DEMO_PASSWORD };

export interface WebServer {
  url: string;
  server: RunningServer;
  /** The demo people by role; they sign in with DEMO_PASSWORD. */
  people: Record<DemoPerson['role'], DemoPerson & { id: string; tenantId: string }>;
  close(): Promise<void>;
}

export async function startWebServer(name: string, overrides: ConfigOverrides = {}): Promise<WebServer> {
  const dir = await mkdtemp(join(tmpdir(), `veritas-${name}-`));
  await buildWeb(join(dir, 'dist'));
  const server = await startServer(
    loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), webDist: join(dir, 'dist'), logLevel: 'silent', ...overrides }),
  );
  const seeded = await seedDemoPeople(server.database);
  const people = Object.fromEntries(seeded.map((p) => [p.role, p])) as WebServer['people'];
  return {
    url: server.url,
    server,
    people,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function call<T>(url: string, init: RequestInit & { token?: string } = {}): Promise<T> {
  const { token, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    headers: { ...(rest.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${rest.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** An access token for a person, by the real login. */
export async function accessTokenOf(base: string, email: string, password: string): Promise<string> {
  const answer = await call<{ accessToken: string }>(`${base}/v1/auth/login`, { method: 'POST', body: JSON.stringify({ email, password }) });
  return answer.accessToken;
}

/** An invitation made by the administrator through the API: its one-time link (…/accept/<token>). */
export async function invite(web: WebServer, body: { email: string; role: DemoPerson['role']; displayName?: string }): Promise<string> {
  const token = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
  return (await call<{ link: string }>(`${web.url}/v1/admin/invitations`, { method: 'POST', token, body: JSON.stringify(body) })).link;
}

/** A person added through the API: invited by the administrator, the link accepted with `password`. */
export async function addPerson(web: WebServer, person: { email: string; role: DemoPerson['role']; displayName: string; password: string }): Promise<void> {
  const link = await invite(web, { email: person.email, role: person.role });
  const token = new URL(link).pathname.split('/').pop()!;
  await call(`${web.url}/v1/auth/links/${token}`, { method: 'POST', body: JSON.stringify({ password: person.password, displayName: person.displayName }) });
}

/** A password-reset link for a person, made by the administrator through the API. */
export async function resetLink(web: WebServer, email: string): Promise<string> {
  const token = await accessTokenOf(web.url, web.people.admin.email, DEMO_PASSWORD);
  const found = await call<{ items: { id: string; email: string }[] }>(`${web.url}/v1/admin/users?q=${encodeURIComponent(email)}&limit=5`, { token });
  const user = found.items.find((u) => u.email === email);
  if (!user) throw new Error(`no person ${email}`);
  return (await call<{ link: string }>(`${web.url}/v1/admin/users/${user.id}/password-reset`, { method: 'POST', token })).link;
}

/** A session the person starts through the API (their own, as the recorder would make it). */
export async function startSession(web: WebServer, email: string, password: string, title: string): Promise<string> {
  const token = await accessTokenOf(web.url, email, password);
  return (await call<{ id: string }>(`${web.url}/v1/sessions`, { method: 'POST', token, body: JSON.stringify({ kind: 'writing', meta: { title } }) })).id;
}

/**
 * A simulated session (`simulate(kind, seed)`, e.g. a pasted essay) imported as a bundle by the
 * person, through POST /v1/bundles: it is theirs, ended, and analysed by the server's job (its flags
 * come with the analysis: wait for them with `flagsOf`).
 */
export async function importSimulated(web: WebServer, email: string, password: string, kind: SimKind, seed: number, title: string): Promise<string> {
  const token = await accessTokenOf(web.url, email, password);
  const bundle = await toBundle(simulate(kind, seed), { createdAt: new Date(Date.now() - 3_600_000).toISOString() });
  bundle.session.meta = { ...bundle.session.meta, title };
  return (await call<{ id: string }>(`${web.url}/v1/bundles`, { method: 'POST', token, body: JSON.stringify(bundle) })).id;
}

/** A session's review flags as the holder of `token` reads them (GET /v1/sessions/{id}/flags). */
export async function flagsOf(
  web: WebServer,
  sessionId: string,
  token: string,
): Promise<{ id: string; kind: string; state: string; answers: { text: string }[]; decisions: { decision: string; noteToStudent: string | null }[] }[]> {
  return (await call<{ items: Awaited<ReturnType<typeof flagsOf>> }>(`${web.url}/v1/sessions/${sessionId}/flags`, { token })).items;
}

/** Fills the sign-in form on the page as it is and sends it. */
export async function fillSignIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.getByRole('textbox', { name: 'Email address' }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A page of its own (a fresh context, closed with it) signed in through the form and landed on `to`. */
export async function signedInPage(browser: Browser, web: WebServer, to: string, email: string, password = DEMO_PASSWORD): Promise<Page> {
  const page = await newA11yPage(browser, { viewport: { width: 1200, height: 900 } });
  await page.goto(`${web.url}/sign-in?next=${encodeURIComponent(to)}`);
  await fillSignIn(page, email, password);
  await page.waitForURL(`**${to}`);
  return page;
}
