import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { CLAIM, DEEP_LINKING_REQUEST, LTI_VERSION, RESOURCE_LINK_REQUEST } from '../lti-claims';

/**
 * A test LMS (an LTI 1.3 platform) over real HTTP, with its own RS256 keys: its JWKS, an OIDC auth
 * endpoint that answers the login initiation's redirect with the auto-submitting form_post page a
 * platform sends (the id token and the state), and a token endpoint for client credentials that takes
 * a JWT client assertion and checks it against the tool's JWKS. Each launch is described by the test
 * (who, which roles, which course and link) and may be made hostile (another key, `alg: none`,
 * expired, another audience or deployment). Tests only.
 */

export const ROLE = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  administrator: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
  mentor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor',
} as const;

export interface LaunchSpec {
  sub: string;
  roles: string[];
  name?: string;
  email?: string;
  context?: { id: string; title?: string };
  resourceLink?: { id: string; title?: string };
  custom?: Record<string, string>;
  messageType?: string;
  /** Claims set after the rest (an `undefined` value removes the claim). */
  override?: Record<string, unknown>;
  /** How the token is signed: the platform's key (default), another key with the same kid, or not at all. */
  signing?: 'platform' | 'other-key' | 'none';
  /** Seconds to its expiry from now (negative: already expired). */
  expiresIn?: number;
}

export interface TestPlatform {
  issuer: string;
  clientId: string;
  deploymentId: string;
  jwksUrl: string;
  authEndpoint: string;
  tokenEndpoint: string;
  /** The launches the auth endpoint will answer, by login_hint. */
  launches: Map<string, LaunchSpec>;
  /** Every auth request the platform received (its query). */
  authRequests: URLSearchParams[];
  /** Every client assertion the token endpoint took (verified claims). */
  assertions: JWTPayload[];
  /** Replaces the signing key (a new kid); the JWKS then publishes the new key only. */
  rotate(): Promise<void>;
  /** Where the tool's JWKS is (the token endpoint checks client assertions with it). */
  toolJwksUrl: string | undefined;
  close(): Promise<void>;
}

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(kid = randomUUID()): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const b64url = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, type: string, text: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(text);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startTestPlatform(options: { clientId?: string; deploymentId?: string } = {}): Promise<TestPlatform> {
  let key = await newKey();
  const other = await newKey();
  const launches = new Map<string, LaunchSpec>();
  const authRequests: URLSearchParams[] = [];
  const assertions: JWTPayload[] = [];
  const clientId = options.clientId ?? `client-${randomUUID()}`;
  const deploymentId = options.deploymentId ?? `deployment-${randomUUID()}`;
  let base = '';
  let toolKeys: ReturnType<typeof createRemoteJWKSet> | undefined;

  async function idToken(spec: LaunchSpec, nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: base,
      sub: spec.sub,
      aud: clientId,
      azp: clientId,
      iat: now,
      exp: now + (spec.expiresIn ?? 300),
      nonce,
      name: spec.name,
      email: spec.email,
      [CLAIM.messageType]: spec.messageType ?? RESOURCE_LINK_REQUEST,
      [CLAIM.version]: LTI_VERSION,
      [CLAIM.deploymentId]: deploymentId,
      [CLAIM.targetLinkUri]: 'https://veritas.invalid/launch',
      [CLAIM.roles]: spec.roles,
      [CLAIM.resourceLink]: spec.resourceLink ?? (spec.messageType === DEEP_LINKING_REQUEST ? undefined : { id: 'link-1', title: 'Essay' }),
      [CLAIM.context]: spec.context,
      [CLAIM.custom]: spec.custom,
      ...spec.override,
    };
    for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
    if (spec.signing === 'none') return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
    const signer = spec.signing === 'other-key' ? other : key;
    // The other key claims the platform's kid: only the signature can tell it apart.
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(signer.privateKey);
  }

  async function authorize(url: URL, res: ServerResponse): Promise<void> {
    const q = url.searchParams;
    authRequests.push(q);
    const expected = { scope: 'openid', response_type: 'id_token', response_mode: 'form_post', prompt: 'none', client_id: clientId };
    for (const [k, v] of Object.entries(expected))
      if (q.get(k) !== v) return send(res, 400, 'text/plain', `auth request: ${k} must be ${v}, not ${String(q.get(k))}`);
    const spec = launches.get(q.get('login_hint') ?? '');
    const redirect = q.get('redirect_uri');
    if (!spec || !redirect || !q.get('state') || !q.get('nonce'))
      return send(res, 400, 'text/plain', 'auth request: unknown login_hint, or no redirect_uri, state or nonce');
    const token = await idToken(spec, q.get('nonce')!);
    send(
      res,
      200,
      'text/html',
      `<!doctype html><form method="post" action="${escapeHtml(redirect)}">` +
        `<input type="hidden" name="id_token" value="${escapeHtml(token)}"><input type="hidden" name="state" value="${escapeHtml(q.get('state')!)}">` +
        `</form><script>document.forms[0].submit()</script>`,
    );
  }

  /** Client credentials with a JWT client assertion (RFC 7523), as LTI Advantage services ask: checked against the tool's JWKS. */
  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await body(req));
    if (form.get('grant_type') !== 'client_credentials') return send(res, 400, 'application/json', JSON.stringify({ error: 'unsupported_grant_type' }));
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return send(res, 400, 'application/json', JSON.stringify({ error: 'invalid_request' }));
    if (!platform.toolJwksUrl) return send(res, 500, 'application/json', JSON.stringify({ error: 'no tool JWKS configured' }));
    toolKeys ??= createRemoteJWKSet(new URL(platform.toolJwksUrl));
    try {
      const { payload } = await jwtVerify(form.get('client_assertion') ?? '', toolKeys, {
        algorithms: ['RS256'],
        issuer: clientId,
        subject: clientId,
        audience: platform.tokenEndpoint,
        requiredClaims: ['jti', 'exp', 'iat'],
      });
      assertions.push(payload);
    } catch (err) {
      return send(res, 401, 'application/json', JSON.stringify({ error: 'invalid_client', error_description: (err as Error).message }));
    }
    send(
      res,
      200,
      'application/json',
      JSON.stringify({ access_token: `at-${randomUUID()}`, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') ?? '' }),
    );
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const route = `${req.method} ${url.pathname}`;
    const handled =
      route === 'GET /jwks'
        ? Promise.resolve(send(res, 200, 'application/json', JSON.stringify({ keys: [key.publicJwk] })))
        : route === 'GET /auth'
          ? authorize(url, res)
          : route === 'POST /token'
            ? token(req, res)
            : Promise.resolve(send(res, 404, 'text/plain', 'not found'));
    handled.catch((err: unknown) => send(res, 500, 'text/plain', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const platform: TestPlatform = {
    issuer: base,
    clientId,
    deploymentId,
    jwksUrl: `${base}/jwks`,
    authEndpoint: `${base}/auth`,
    tokenEndpoint: `${base}/token`,
    launches,
    authRequests,
    assertions,
    toolJwksUrl: undefined,
    async rotate() {
      key = await newKey();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return platform;
}

/** The form a platform's auth endpoint answered: where it posts, and its id_token and state. */
export function formOf(html: string): { action: string; id_token: string; state: string } {
  const action = /action="([^"]*)"/.exec(html)?.[1];
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  const unescape = (s: string | undefined) => (s ?? '').replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
  if (!action) throw new Error(`no form in the platform's answer: ${html}`);
  return { action: unescape(action), id_token: unescape(field('id_token')), state: unescape(field('state')) };
}

// ---------------------------------------------------------------------------------------------
// LTI Advantage services of the test LMS (issue 17: grades and rosters), on a server of their own.

const AGS = 'https://purl.imsglobal.org/spec/lti-ags/scope/';
const NRPS_READ = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';

/** A score as the gradebook holds it (AGS score publish service). */
export interface LmsScore {
  userId: string;
  scoreGiven?: number;
  scoreMaximum?: number;
  comment?: string;
  timestamp: string;
  activityProgress: string;
  gradingProgress: string;
}

/** A member of a course roster (NRPS membership). */
export interface LmsMember {
  user_id: string;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  email?: string;
}

export interface LmsServices {
  base: string;
  /** Client credentials with a JWT client assertion, checked against the tool's JWKS (`toolJwksUrl`). */
  tokenEndpoint: string;
  toolJwksUrl: string | undefined;
  /** How the token endpoint answers: a token (default), a body that is not a token response, or a token its services take as expired. */
  tokenAnswer: 'ok' | 'tampered' | 'expired';
  /** Tokens issued: their scopes and when they expire (ms). */
  tokens: Map<string, { scopes: string[]; expiresAt: number }>;
  /** A course's line items container (the AGS claim's `lineitems`). */
  lineitemsUrl(contextId: string): string;
  /** A line item made by the platform (the AGS claim's `lineitem`). */
  addLineItem(contextId: string, item: Record<string, unknown>): string;
  /** Line items by URL, as created (by the platform or the tool). */
  lineItems: Map<string, Record<string, unknown>>;
  /** Every POST to a scores endpoint: its line item, body and answer. */
  scorePosts: { lineitem: string; body: LmsScore; status: number }[];
  /** The next this many score POSTs answer 500 (default 1: the first fails). */
  failScorePosts: number;
  /** The gradebook: the score held per line item and user (`${lineitem} ${userId}`), the newest by timestamp (AGS: an older one never replaces it). */
  results: Map<string, LmsScore>;
  /** A course's memberships URL (the NRPS claim's `context_memberships_url`). */
  membershipsUrl(contextId: string): string;
  rosters: Map<string, LmsMember[]>;
  /** Members per page; more pages are linked with `Link: <…>; rel="next"`. */
  pageSize: number;
  /** Every memberships page asked (its URL). */
  pageRequests: string[];
  close(): Promise<void>;
}

/** The services of an LMS (AGS line items and scores, NRPS memberships) with their own token endpoint. Tests only. */
export async function startLmsServices(options: { clientId: string }): Promise<LmsServices> {
  let base = '';
  let toolKeys: ReturnType<typeof createRemoteJWKSet> | undefined;
  let lineItemSeq = 0;
  const json = (res: ServerResponse, status: number, value: unknown, type = 'application/json', headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(JSON.stringify(value));
  };

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await body(req));
    if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    if (!services.toolJwksUrl) return json(res, 500, { error: 'no tool JWKS configured' });
    toolKeys ??= createRemoteJWKSet(new URL(services.toolJwksUrl));
    try {
      await jwtVerify(form.get('client_assertion') ?? '', toolKeys, {
        algorithms: ['RS256'],
        issuer: options.clientId,
        subject: options.clientId,
        audience: services.tokenEndpoint,
        requiredClaims: ['jti', 'exp', 'iat'],
      });
    } catch (err) {
      return json(res, 401, { error: 'invalid_client', error_description: (err as Error).message });
    }
    if (services.tokenAnswer === 'tampered') return send(res, 200, 'text/html', '<html>a proxy’s page, not a token</html>');
    const accessToken = `svc-${randomUUID()}`;
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    services.tokens.set(accessToken, { scopes, expiresAt: services.tokenAnswer === 'expired' ? Date.now() - 1000 : Date.now() + 3600_000 });
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, scope: scopes.join(' ') });
  }

  /** The bearer token's verdict: null when it may call with this scope, else the status to answer. */
  function refusal(req: IncomingMessage, scope: string): number | null {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const known = bearer ? services.tokens.get(bearer) : undefined;
    if (!known || known.expiresAt <= Date.now()) return 401;
    return known.scopes.includes(scope) ? null : 403;
  }

  async function createLineItem(req: IncomingMessage, res: ServerResponse, contextId: string): Promise<void> {
    const denied = refusal(req, `${AGS}lineitem`);
    if (denied) return json(res, denied, { error: 'refused' });
    if (req.headers['content-type'] !== 'application/vnd.ims.lis.v2.lineitem+json') return json(res, 415, { error: 'line item media type expected' });
    const item = JSON.parse(await body(req)) as Record<string, unknown>;
    if (typeof item.scoreMaximum !== 'number' || typeof item.label !== 'string') return json(res, 400, { error: 'scoreMaximum and label are required' });
    const id = services.addLineItem(contextId, item);
    json(res, 201, services.lineItems.get(id), 'application/vnd.ims.lis.v2.lineitem+json');
  }

  async function postScore(req: IncomingMessage, res: ServerResponse, lineitem: string): Promise<void> {
    const denied = refusal(req, `${AGS}score`);
    if (denied) return json(res, denied, { error: 'refused' });
    if (!services.lineItems.has(lineitem)) return json(res, 404, { error: 'no such line item' });
    if (req.headers['content-type'] !== 'application/vnd.ims.lis.v1.score+json') return json(res, 415, { error: 'score media type expected' });
    const score = JSON.parse(await body(req)) as LmsScore;
    const fail = services.failScorePosts > 0;
    if (fail) services.failScorePosts--;
    const status = fail ? 500 : typeof score.userId === 'string' && typeof score.timestamp === 'string' ? 200 : 400;
    services.scorePosts.push({ lineitem, body: score, status });
    if (status !== 200) return json(res, status, { error: fail ? 'the gradebook is down' : 'userId and timestamp are required' });
    const key = `${lineitem} ${score.userId}`;
    const held = services.results.get(key);
    // AGS: the platform must not update a result whose timestamp on record is later than the incoming score's.
    if (!held || Date.parse(held.timestamp) <= Date.parse(score.timestamp)) services.results.set(key, score);
    json(res, 200, {});
  }

  function memberships(req: IncomingMessage, res: ServerResponse, contextId: string, url: URL): void {
    const denied = refusal(req, NRPS_READ);
    if (denied) return json(res, denied, { error: 'refused' });
    services.pageRequests.push(url.href);
    const roster = services.rosters.get(contextId) ?? [];
    const page = Number(url.searchParams.get('page') ?? '0');
    const members = roster.slice(page * services.pageSize, (page + 1) * services.pageSize);
    const more = (page + 1) * services.pageSize < roster.length;
    const link: Record<string, string> = more ? { link: `<${services.membershipsUrl(contextId)}?page=${page + 1}>; rel="next"` } : {};
    json(res, 200, { id: url.href, context: { id: contextId }, members }, 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json', link);
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const items = /^\/contexts\/([^/]+)\/lineitems$/.exec(url.pathname);
    const scores = /^\/contexts\/([^/]+)\/lineitems\/([^/]+)\/scores$/.exec(url.pathname);
    const roster = /^\/contexts\/([^/]+)\/memberships$/.exec(url.pathname);
    const handled =
      req.method === 'POST' && url.pathname === '/token'
        ? token(req, res)
        : req.method === 'POST' && items
          ? createLineItem(req, res, decodeURIComponent(items[1]!))
          : req.method === 'POST' && scores
            ? postScore(req, res, `${base}${url.pathname.slice(0, -'/scores'.length)}`)
            : req.method === 'GET' && roster
              ? Promise.resolve(memberships(req, res, decodeURIComponent(roster[1]!), url))
              : Promise.resolve(send(res, 404, 'text/plain', 'not found'));
    handled.catch((err: unknown) => send(res, 500, 'text/plain', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  const services: LmsServices = {
    base,
    tokenEndpoint: `${base}/token`,
    toolJwksUrl: undefined,
    tokenAnswer: 'ok',
    tokens: new Map(),
    lineitemsUrl: (contextId) => `${base}/contexts/${encodeURIComponent(contextId)}/lineitems`,
    addLineItem(contextId, item) {
      const id = `${base}/contexts/${encodeURIComponent(contextId)}/lineitems/${++lineItemSeq}`;
      services.lineItems.set(id, { ...item, id });
      return id;
    },
    lineItems: new Map(),
    scorePosts: [],
    failScorePosts: 1,
    results: new Map(),
    membershipsUrl: (contextId) => `${base}/contexts/${encodeURIComponent(contextId)}/memberships`,
    rosters: new Map(),
    pageSize: 2,
    pageRequests: [],
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return services;
}
