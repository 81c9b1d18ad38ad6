import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { CLAIM, DEEP_LINKING_REQUEST, LTI_VERSION } from '../lti-claims';
import type { LaunchSpec, TestPlatform } from './test-platform';

/**
 * The test LMS's side of LTI Deep Linking 2.0 (tests only): deep-linking launches (an
 * `LtiDeepLinkingRequest` with its settings claim, `data` fresh each time), and the return URL the
 * tool's answer is posted to, over real HTTP. The return endpoint takes the form field `JWT` and
 * checks it as a platform must: RS256 with a kid, signed by a key of the tool's published JWKS
 * (`platform.toolJwksUrl`), `iss` the client id, `aud` the platform, not expired, a nonce never seen
 * before, message type `LtiDeepLinkingResponse`, version 1.3.0, the platform's deployment, the `data`
 * of a request it made, and content items of the kinds it accepts (an `ltiResourceLink` with a URL
 * and string custom parameters). What holds is recorded as placed; what does not, refused and said.
 */

export interface ContentItem {
  type: string;
  url?: string;
  title?: string;
  custom?: Record<string, string>;
  lineItem?: { scoreMaximum: number; label?: string; resourceId?: string };
  [k: string]: unknown;
}

export interface Placement {
  items: ContentItem[];
  data: string | undefined;
  kid: string;
  payload: JWTPayload;
}

export interface DeepLinkSettingsSpec {
  /** Default: `ltiResourceLink` and `link`. */
  acceptTypes?: string[];
  acceptLineItem?: boolean;
  title?: string;
  /** `null`: the request carries no data. */
  data?: string | null;
  /** Replaces the whole settings claim (`null` removes it). */
  settings?: Record<string, unknown> | null;
}

export interface DeepLinkReturn {
  returnUrl: string;
  placements: Placement[];
  /** Why each refused answer was refused. */
  refusals: string[];
  /** A launch spec for a deep-linking request whose answer is to come back here. */
  request(spec: Omit<LaunchSpec, 'messageType'>, settings?: DeepLinkSettingsSpec): LaunchSpec;
  close(): Promise<void>;
}

const RESPONSE = 'LtiDeepLinkingResponse';
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Test LMS</title><p>${text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p>`);
}

export async function startDeepLinkReturn(platform: TestPlatform): Promise<DeepLinkReturn> {
  const placements: Placement[] = [];
  const refusals: string[] = [];
  const issued = new Set<string>();
  const nonces = new Set<string>();
  let accepted: string[] = ['ltiResourceLink', 'link'];
  let toolKeys: ReturnType<typeof createRemoteJWKSet> | undefined;
  let base = '';

  async function check(jwt: string): Promise<Placement> {
    const header = decodeProtectedHeader(jwt);
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') throw new Error(`header: alg ${String(header.alg)}, kid ${String(header.kid)}`);
    if (!platform.toolJwksUrl) throw new Error('no tool JWKS configured');
    toolKeys ??= createRemoteJWKSet(new URL(platform.toolJwksUrl));
    const { payload } = await jwtVerify(jwt, toolKeys, {
      algorithms: ['RS256'],
      issuer: platform.clientId,
      audience: platform.issuer,
      requiredClaims: ['iat', 'exp', 'nonce'],
    });
    const nonce = String(payload.nonce);
    if (nonces.has(nonce)) throw new Error('nonce: this answer was already taken (replayed)');
    if (payload[CLAIM.messageType] !== RESPONSE) throw new Error(`message type: ${String(payload[CLAIM.messageType])}`);
    if (payload[CLAIM.version] !== LTI_VERSION) throw new Error(`version: ${String(payload[CLAIM.version])}`);
    if (payload[CLAIM.deploymentId] !== platform.deploymentId) throw new Error(`deployment: ${String(payload[CLAIM.deploymentId])}`);
    const data = payload[`${DL}data`];
    if (data !== undefined && (typeof data !== 'string' || !issued.has(data))) throw new Error('data: not the data of a request this platform made');
    const items = payload[`${DL}content_items`];
    if (!Array.isArray(items)) throw new Error('content_items: not an array');
    for (const item of items as ContentItem[]) {
      if (!accepted.includes(item.type)) throw new Error(`content item: type ${String(item.type)} not accepted`);
      if (item.type === 'ltiResourceLink') {
        if (typeof item.url !== 'string' || !/^https?:\/\//.test(item.url)) throw new Error('content item: no launch url');
        if (item.custom && !Object.values(item.custom).every((v) => typeof v === 'string')) throw new Error('content item: custom values must be strings');
      }
    }
    nonces.add(nonce);
    if (typeof data === 'string') issued.delete(data);
    return { items: items as ContentItem[], data: data as string | undefined, kid: header.kid, payload };
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    if (req.method !== 'POST' || url.pathname !== '/deep-link-return') return send(res, 404, 'not found');
    body(req)
      .then(async (text) => {
        const jwt = new URLSearchParams(text).get('JWT');
        if (!jwt) throw new Error('no JWT field');
        const placed = await check(jwt);
        placements.push(placed);
        send(res, 200, `Placed ${placed.items.length} item(s): ${placed.items.map((i) => i.title ?? '').join(', ')}`);
      })
      .catch((err: unknown) => {
        refusals.push((err as Error).message);
        send(res, 400, `Refused: ${(err as Error).message}`);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const returnUrl = `${base}/deep-link-return`;

  return {
    returnUrl,
    placements,
    refusals,
    request(spec, settings = {}) {
      const data = settings.data === undefined ? `data-${randomUUID()}` : settings.data;
      if (data !== null) issued.add(data);
      accepted = settings.acceptTypes ?? ['ltiResourceLink', 'link'];
      const claim =
        settings.settings !== undefined
          ? (settings.settings ?? undefined)
          : {
              deep_link_return_url: returnUrl,
              accept_types: accepted,
              accept_presentation_document_targets: ['iframe', 'window'],
              accept_multiple: false,
              accept_lineitem: settings.acceptLineItem ?? false,
              auto_create: true,
              ...(settings.title !== undefined ? { title: settings.title } : {}),
              ...(data !== null ? { data } : {}),
            };
      return { ...spec, messageType: DEEP_LINKING_REQUEST, override: { ...spec.override, [CLAIM.deepLinkingSettings]: claim } };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The form of Veritas's answer page: where it posts, and its JWT. */
export function answerFormOf(html: string): { action: string; jwt: string } {
  const unescape = (s: string | undefined) => (s ?? '').replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)));
  const action = /<form[^>]* action="([^"]*)"/.exec(html)?.[1];
  const jwt = /name="JWT" value="([^"]*)"/.exec(html)?.[1];
  if (!action || !jwt) throw new Error(`no answer form in: ${html.slice(0, 500)}`);
  return { action: unescape(action), jwt: unescape(jwt) };
}

/** Posts an answer to the return URL as the browser's form would. */
export async function postAnswer(form: { action: string; jwt: string }): Promise<{ status: number; text: string }> {
  const res = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ JWT: form.jwt }).toString(),
  });
  return { status: res.status, text: await res.text() };
}
