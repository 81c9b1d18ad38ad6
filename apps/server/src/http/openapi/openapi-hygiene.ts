import type { RouteOptions } from 'fastify';
import { COLUMNS, POLICY, type Access, type Column } from '../../kernel/policy';

/**
 * What turns the routes' schemas into a document a linter (Redocly's recommended rules) and a client
 * generator accept: an operationId and a security declaration per operation, derived from the
 * route's method, path and declared access (kernel/policy.ts: one source for who may call what);
 * the security schemes; servers and the licence; JSON Schema 2020-12 tuples.
 */

/** How a caller proves who it is, as OpenAPI security schemes. */
export const SECURITY_SCHEMES = {
  accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A person's access token (POST /v1/auth/login), 15 minutes" },
  apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'vk_…', description: "An institution's API key; the scopes a route needs are listed with it" },
  writeToken: { type: 'http', scheme: 'bearer', description: 'The write token returned when the session was created' },
  shareLink: { type: 'apiKey', in: 'query', name: 'share', description: "A share link's token: reads one session" },
  shareLinkHeader: { type: 'apiKey', in: 'header', name: 'X-Veritas-Share', description: "A share link's token, as a header" },
} as const;

type Scheme = keyof typeof SECURITY_SCHEMES;
type Requirement = Partial<Record<Scheme, string[]>>;

const PEOPLE: readonly Column[] = COLUMNS.filter((c) => c !== 'anonymous' && c !== 'session-reader' && c !== 'session-writer' && c !== 'api-key');

/** Whether a column can pass every declared access (a cell that depends on the server or a scope counts). */
const passesAll = (column: Column, access: readonly Access[]) => access.every((a) => POLICY[a][column] !== false);

/**
 * The security requirements of a route from its declared access: the credentials that can pass it,
 * as alternatives. `[]` when the route ignores credentials (`anyone`); `{}` among the alternatives
 * when it can be called without one (an anonymous caller, or a public session's id in the path).
 */
export function securityOf(access: readonly Access[] | undefined): Requirement[] {
  if (!access || access.every((a) => a === 'anyone')) return [];
  const onSession = access.includes('reader') || access.includes('writer');
  const out: Requirement[] = [];
  if (passesAll('anonymous', access) || (onSession && passesAll('session-reader', access))) out.push({});
  if (onSession && passesAll('session-writer', access)) out.push({ writeToken: [] });
  if (PEOPLE.some((role) => passesAll(role, access))) out.push({ accessToken: [] });
  if (passesAll('api-key', access)) {
    const scopes = [...new Set(access.map((a) => POLICY[a]['api-key']).filter((c): c is Exclude<typeof c, boolean> => typeof c === 'string'))];
    out.push({ apiKey: scopes });
  }
  if (access.includes('reader') && passesAll('session-reader', access)) out.push({ shareLink: [] }, { shareLinkHeader: [] });
  return out;
}

const word = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** `GET /v1/sessions/{id}/events` → `getSessionsByIdEvents`: a method and its path, in camel case, unique per route. */
export function operationIdOf(method: string, url: string): string {
  const parts = url
    .split('/')
    .filter((s) => s !== '' && s !== 'v1')
    .map((s) => {
      const param = /^[:{](\w+)}?$/.exec(s);
      return param
        ? `By${word(param[1]!)}`
        : s
            .split(/[^A-Za-z0-9]+/)
            .filter(Boolean)
            .map(word)
            .join('');
    });
  return method.toLowerCase() + parts.join('');
}

const accessOf = (route: RouteOptions): readonly Access[] | undefined => {
  const access = (route.config as { access?: Access | readonly Access[] } | undefined)?.access;
  return access === undefined ? undefined : typeof access === 'string' ? [access] : access;
};

/** @fastify/swagger's per-route transform: a route's own operationId wins; security always follows its access. */
export function transformRoute({ schema, url, route }: { schema: object | undefined; url: string; route: RouteOptions }) {
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const own = schema as { operationId?: string } | undefined;
  return {
    schema: { ...own, operationId: own?.operationId ?? operationIdOf(method, url), security: securityOf(accessOf(route)) },
    url,
  };
}

/**
 * TypeBox writes a tuple as draft-07 does (`items: [..]`, `additionalItems`); OpenAPI 3.1 speaks JSON
 * Schema 2020-12 (`prefixItems`, `items: false`). Rewrites every such schema in place.
 */
export function modernTuples(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) modernTuples(n);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (Array.isArray(o.items)) {
    o.prefixItems = o.items;
    if ('additionalItems' in o) o.items = o.additionalItems;
    else delete o.items;
    delete o.additionalItems;
  }
  // Values (examples, defaults, constants) are data, not schemas: left as they are.
  for (const [k, v] of Object.entries(o)) if (!VALUE_KEYS.has(k)) modernTuples(v);
}

const VALUE_KEYS = new Set(['example', 'examples', 'default', 'const', 'enum']);

/** The whole document: tuples made 2020-12. */
export function transformDocument(documentObject: { openapiObject: object } | { swaggerObject: object }) {
  const doc = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject;
  modernTuples(doc);
  return doc;
}
