import { randomUUID } from 'node:crypto';
import { formOf, type LaunchSpec, type TestPlatform } from './test-platform';

/**
 * A browser's way through an LTI 1.3 launch over real HTTP: the LMS's call of the login-initiation
 * URL, the redirect to the platform's auth endpoint, and the form it posts to the launch URL. Each
 * step is returned so a test can replay or tamper. Tests only.
 */
export interface LaunchResult {
  status: number;
  location: string | null;
  setCookies: string[];
  cookies: Record<string, string>;
  problem?: { type: string; detail?: string; status: number; reason?: string };
  /** What the platform posted (to replay it). */
  form: { action: string; id_token: string; state: string };
}

export async function postLaunch(form: { action: string; id_token: string; state: string }): Promise<Omit<LaunchResult, 'form'>> {
  const res = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ id_token: form.id_token, state: form.state }).toString(),
  });
  const setCookies = res.headers.getSetCookie();
  const cookies = Object.fromEntries(
    setCookies.map((line) => {
      const pair = line.split(';')[0]!;
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    }),
  );
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), setCookies, cookies, ...(res.status >= 400 ? { problem: JSON.parse(text) } : {}) };
}

/** The login initiation as the LMS sends it (a GET with the parameters), answered with the platform's auth URL. */
export async function initiate(loginUrl: string, platform: TestPlatform, hint: string, extra: Record<string, string> = {}): Promise<Response> {
  const q = new URLSearchParams({
    iss: platform.issuer,
    login_hint: hint,
    target_link_uri: 'https://veritas.invalid/launch',
    lti_message_hint: 'message-hint',
    lti_deployment_id: platform.deploymentId,
    client_id: platform.clientId,
    ...extra,
  });
  return fetch(`${loginUrl}?${q}`, { redirect: 'manual' });
}

/** Login initiation, the platform's auth endpoint, the form post: a whole launch as `spec`. */
export async function launch(loginUrl: string, platform: TestPlatform, spec: LaunchSpec): Promise<LaunchResult> {
  const hint = randomUUID();
  platform.launches.set(hint, spec);
  const started = await initiate(loginUrl, platform, hint);
  const location = started.headers.get('location');
  if (started.status !== 302 || !location) throw new Error(`login initiation answered ${started.status}: ${await started.text()}`);
  const page = await fetch(location);
  if (page.status !== 200) throw new Error(`the platform's auth endpoint answered ${page.status}: ${await page.text()}`);
  const form = formOf(await page.text());
  return { ...(await postLaunch(form)), form };
}
