import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { tenantId } from '../../../kernel/scope';
import type { TenantRow } from '../../people';
import { signInAtProvider, type TestProvider } from './test-provider';

/**
 * A browser's way through a Veritas SSO sign-in, over real HTTP: the app's start, the provider's
 * login, and the app's callback, each step returned so a test can stop, tamper or replay. Tests only.
 */

/** The app as these helpers use it (the http layer's App, which a module may not import). */
type App = FastifyInstance & { services: Services };

export const callbackUrlOf = (base: string) => `${base}/v1/auth/sso/callback`;

/** The app listening on 127.0.0.1 (the provider redirects a browser to it): its base URL. */
export async function listening(app: App): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

/** Points a tenant at a provider's client, as its admin's PUT would (checked by discovery like it). */
export async function useProvider(
  app: App,
  tenant: TenantRow,
  provider: TestProvider,
  client: { clientId: string; clientSecret: string | null },
  options: { createUsers?: boolean; issuer?: string } = {},
): Promise<void> {
  const admin = {
    kind: 'user',
    userId: 'test-admin',
    tenantId: tenantId(tenant.id),
    role: 'admin',
    via: 'password',
    scope: { tenantId: tenantId(tenant.id) },
  } as const;
  await app.services.sso.settings.save(
    admin,
    { issuer: options.issuer ?? provider.issuer, clientId: client.clientId, clientSecret: client.clientSecret, createUsers: options.createUsers ?? false },
    { ip: null, requestId: null },
  );
}

/** GET …/start as a browser: the provider's authorization URL it redirects to. */
export async function start(base: string, slug: string, returnTo?: string): Promise<URL> {
  const q = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const res = await fetch(`${base}/v1/auth/sso/${slug}/start${q}`, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`start answered ${res.status}: ${await res.text()}`);
  return new URL(location);
}

/** Start, then sign in at the provider as `sub`: the callback URL the provider sends the browser to (not visited yet). */
export async function throughProvider(base: string, slug: string, sub: string, returnTo?: string): Promise<string> {
  const authUrl = await start(base, slug, returnTo);
  return signInAtProvider(authUrl.href, { as: sub, stopAt: callbackUrlOf(base) });
}

export interface Callback {
  status: number;
  location: string | null;
  cookies: Record<string, string>;
  /** The problem, on a refusal. */
  problem?: { type: string; detail?: string; status: number };
}

/** Visits the callback URL as the browser would. */
export async function visitCallback(url: string): Promise<Callback> {
  const res = await fetch(url, { redirect: 'manual' });
  const cookies = Object.fromEntries(
    res.headers.getSetCookie().map((line) => {
      const pair = line.split(';')[0]!;
      return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
    }),
  );
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), cookies, ...(res.status >= 400 ? { problem: JSON.parse(text) } : {}) };
}

/** What the web app does after the redirect: POST /v1/auth/refresh with the cookies and the CSRF header. */
export async function refreshWith(base: string, cookies: Record<string, string>): Promise<Response> {
  return fetch(`${base}/v1/auth/refresh`, {
    method: 'POST',
    headers: {
      cookie: Object.entries(cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
      'x-csrf-token': cookies.veritas_csrf ?? '',
    },
  });
}
