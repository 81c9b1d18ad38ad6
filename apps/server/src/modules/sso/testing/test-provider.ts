import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type GrantLike } from 'oidc-provider';

/**
 * A real OpenID Connect provider (oidc-provider) on 127.0.0.1 for the tests: clients registered with
 * PKCE required, accounts the test controls, and a login step a test "browser" completes by posting
 * the subject it signs in as (a stand-in for the provider's login form). Tests only.
 */
export interface TestAccount {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
}

export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface TestProvider {
  issuer: string;
  /** The people this provider vouches for, by subject: add or change them at any time. */
  accounts: Map<string, TestAccount>;
  /** The ID tokens its token endpoint issued, oldest first. */
  issuedIdTokens: string[];
  /** Makes the next token response carry this ID token instead of its own (a tampered token endpoint). */
  swapNextIdToken(idToken: string): void;
  close(): Promise<void>;
}

type Stored = { payload: Record<string, unknown>; expiresAt: number };

/** oidc-provider's storage, in a Map of this provider's own (its built-in one warns that it is for development). */
function mapAdapter() {
  const store = new Map<string, Stored>();
  const live = (key: string) => {
    const e = store.get(key);
    if (e && e.expiresAt <= Date.now()) store.delete(key);
    return e && e.expiresAt > Date.now() ? e.payload : undefined;
  };
  return class MapAdapter {
    constructor(private readonly name: string) {}
    private key(id: string) {
      return `${this.name}:${id}`;
    }
    private findBy(field: string, value: string) {
      for (const [key, e] of store) if (key.startsWith(`${this.name}:`) && e.payload[field] === value) return live(key);
      return undefined;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      return this.findBy('uid', uid);
    }
    async findByUserCode(userCode: string) {
      return this.findBy('userCode', userCode);
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, e] of store) if (e.payload.grantId === grantId) store.delete(key);
    }
  };
}

async function formBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTestProvider({ clients }: { clients: TestClient[] }): Promise<TestProvider> {
  const accounts = new Map<string, TestAccount>();
  const issuedIdTokens: string[] = [];
  let swap: string | undefined;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };

  // Listen first: the issuer names the port.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider: Provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    adapter: mapAdapter(),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // Short lives of its own choosing (the defaults print a notice asking for them).
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          ...(account.email !== undefined ? { email: account.email } : {}),
          ...(account.emailVerified !== undefined ? { email_verified: account.emailVerified } : {}),
          ...(account.name !== undefined ? { name: account.name } : {}),
        }),
      };
    },
    // First-party clients: consent is implied, so the only interaction is the login.
    async loadExistingGrant(ctx): Promise<GrantLike | undefined> {
      const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (existing) return provider.Grant.find(existing);
      const grant = new provider.Grant({ accountId: ctx.oidc.session.accountId, clientId: ctx.oidc.client.clientId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  // Upstream of every route: sees (and may replace) the token endpoint's answer before it is sent.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200) return;
    const body = ctx.body as { id_token?: string };
    if (typeof body.id_token !== 'string') return;
    issuedIdTokens.push(body.id_token);
    if (swap !== undefined) {
      ctx.body = { ...body, id_token: swap };
      swap = undefined;
    }
  });

  const oidc = provider.callback();
  handler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return oidc(req, res);
    interact(req, res).catch((err: unknown) => res.writeHead(400, { 'content-type': 'text/plain' }).end(String(err)));
  };

  /** The login "form": GET shows it, POST `login=<sub>` signs that account in. */
  async function interact(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (req.method !== 'POST') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`sign in (${details.prompt.name})`);
    const sub = (await formBody(req)).get('login') ?? '';
    if (!accounts.has(sub)) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('no such account');
    await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
  }

  return {
    issuer,
    accounts,
    issuedIdTokens,
    swapNextIdToken(idToken) {
      swap = idToken;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A browser's cookies, by host (paths ignored: each test browser talks to one provider). */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  header(url: URL): string {
    return [...(this.byHost.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  take(url: URL, res: Response): void {
    const jar = this.byHost.get(url.host) ?? new Map<string, string>();
    this.byHost.set(url.host, jar);
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
}

/**
 * Follows a browser's redirects from `url` through the provider, signing in as `as` at its login step,
 * until a redirect points at `stopAt` (the relying party's callback): returns that URL, unvisited.
 */
export async function signInAtProvider(url: string, { as, stopAt, jar = new CookieJar() }: { as: string; stopAt: string; jar?: CookieJar }): Promise<string> {
  let next = new URL(url);
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    if (next.href.startsWith(stopAt)) return next.href;
    const res = await fetch(next, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: jar.header(next) } });
    jar.take(next, res);
    init = {};
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      next = new URL(location, next);
      continue;
    }
    if (res.status === 200 && next.pathname.startsWith('/interaction/')) {
      await res.text();
      init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: as }).toString() };
      continue;
    }
    throw new Error(`the provider answered ${res.status} at ${next.pathname}: ${(await res.text()).slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}
