/**
 * A stand-in for the sign-in routes of issue 10 while they are built on other branches: the agreed
 * contract (login, refresh with rotating cookies and the CSRF header, logout, /v1/me, invitation and
 * reset links), answered by serveStatic. Browser tests of the web app use it for what the real
 * server cannot answer yet; once the routes land on main, those tests move to the real server and
 * this file goes.
 */
import type { IncomingMessage } from 'node:http';
import { readJson, type ApiAnswer, type ApiHandler } from './browser-harness';

export interface FakePerson {
  id: string;
  email: string;
  password: string;
  displayName: string;
  role: 'admin' | 'teacher' | 'observer' | 'student';
  authMethod?: string;
}

export interface FakeLink {
  kind: 'invitation' | 'password-reset';
  email: string;
  role: FakePerson['role'];
}

const TENANT = { id: 'ten_1', slug: 'uni-example', name: 'Example University' };

const problem = (status: number, code: string, title: string): ApiAnswer => ({
  status,
  type: 'application/problem+json',
  body: { type: `urn:veritas:problem:${code}`, title, status },
});

function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** The contract's routes over a few people and links; `log` holds every call with what it carried. */
export function contractAuthApi(people: FakePerson[], links: Record<string, FakeLink> = {}) {
  let n = 0;
  const access = new Map<string, { personId: string; expired: boolean }>();
  const refresh = new Map<string, string>(); // refresh token → person id
  let delayMs = 0;
  const log: { call: string; authorization?: string; csrf?: string; csrfCookie?: string; body?: unknown }[] = [];

  const me = (p: FakePerson) => ({
    id: p.id,
    email: p.email,
    displayName: p.displayName,
    role: p.role,
    tenant: TENANT,
    authMethod: p.authMethod ?? 'password',
  });
  const signIn = (p: FakePerson): ApiAnswer => {
    n++;
    const token = `access-${n}`;
    access.set(token, { personId: p.id, expired: false });
    refresh.set(`refresh-${n}`, p.id);
    return {
      headers: {
        'set-cookie': [`veritas_refresh=refresh-${n}; Path=/v1/auth; HttpOnly; SameSite=Strict`, `veritas_csrf=csrf-${n}; Path=/; SameSite=Strict`],
      },
      body: { accessToken: token, tokenType: 'Bearer', expiresIn: 900, user: me(p) },
    };
  };
  const record = async (req: IncomingMessage, withBody = false) => {
    const entry = {
      call: `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(typeof req.headers['x-csrf-token'] === 'string' ? { csrf: req.headers['x-csrf-token'] } : {}),
      ...(cookies(req).veritas_csrf ? { csrfCookie: cookies(req).veritas_csrf } : {}),
      ...(withBody ? { body: await readJson(req) } : {}),
    };
    log.push(entry);
    return entry;
  };
  /** The person of the request's access token, or the answer refusing it. */
  const bearer = (req: IncomingMessage): FakePerson | ApiAnswer => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const held = token ? access.get(token) : undefined;
    if (!held) return problem(401, 'unauthenticated', 'This needs a signed-in person or an API key');
    if (held.expired) return problem(401, 'token-expired', 'The access token has expired; refresh it');
    return people.find((p) => p.id === held.personId)!;
  };
  const csrfHolds = (req: IncomingMessage) => {
    const sent = req.headers['x-csrf-token'];
    return typeof sent === 'string' && sent === cookies(req).veritas_csrf;
  };

  const routes: Record<string, ApiHandler> = {
    '/v1/auth/login': async (req) => {
      const { body } = await record(req, true);
      const { email, password } = body as { email: string; password: string };
      const p = people.find((x) => x.email === email && x.password === password);
      return p ? signIn(p) : problem(401, 'invalid-login', 'The email address or the password is wrong');
    },
    '/v1/auth/refresh': async (req) => {
      await record(req);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      if (!csrfHolds(req)) return problem(403, 'csrf-refused', 'The request lacks its CSRF token');
      const old = cookies(req).veritas_refresh;
      const personId = old ? refresh.get(old) : undefined;
      if (!old || !personId) return problem(401, 'invalid-credential', 'The credential is not valid');
      refresh.delete(old); // rotates: a refresh token is good once
      return signIn(people.find((p) => p.id === personId)!);
    },
    '/v1/auth/logout': async (req) => {
      await record(req);
      if (!csrfHolds(req)) return problem(403, 'csrf-refused', 'The request lacks its CSRF token');
      refresh.delete(cookies(req).veritas_refresh ?? '');
      return {
        status: 204,
        headers: { 'set-cookie': ['veritas_refresh=; Path=/v1/auth; Max-Age=0', 'veritas_csrf=; Path=/; Max-Age=0'] },
        body: undefined,
      };
    },
    '/v1/me': async (req) => {
      const { body } = await record(req, req.method === 'PATCH');
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const p = bearer(req);
      if (!('email' in p && 'id' in p)) return p;
      if (req.method === 'PATCH') {
        const patch = body as { displayName?: string; currentPassword?: string; newPassword?: string };
        if (patch.newPassword !== undefined) {
          if (patch.currentPassword !== p.password) return problem(401, 'invalid-login', 'The email address or the password is wrong');
          p.password = patch.newPassword;
        }
        if (patch.displayName !== undefined) p.displayName = patch.displayName;
      }
      return { body: me(p) };
    },
  };
  for (const [token, link] of Object.entries(links)) {
    routes[`/v1/auth/links/${token}`] = async (req) => {
      const { body } = await record(req, req.method === 'POST');
      if (!links[token]) return problem(410, 'link-invalid', 'The link is unknown, used, revoked or expired');
      if (req.method === 'GET') return { body: { kind: link.kind, email: link.email, tenantName: TENANT.name, expiresAt: '2026-12-07T12:00:00.000Z' } };
      const { password, displayName } = body as { password: string; displayName?: string };
      let p = people.find((x) => x.email === link.email);
      if (!p) {
        p = { id: `usr_${people.length + 1}`, email: link.email, password, displayName: displayName ?? '', role: link.role };
        people.push(p);
      }
      p.password = password;
      delete links[token];
      return signIn(p);
    };
  }
  return {
    routes,
    log,
    /** Every access token handed out so far now answers 401 token-expired. */
    expireAccessTokens: () => access.forEach((t) => (t.expired = true)),
    /** /v1/me and the refresh answer after `ms`, so requests overlap. */
    slow: (ms: number) => (delayMs = ms),
    /** Every refresh token is revoked: the next refresh is refused. */
    revokeRefreshTokens: () => refresh.clear(),
  };
}
