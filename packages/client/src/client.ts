import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './openapi';
import { VeritasProblem } from './problem';

/** A bearer credential, or a function that answers the current one (an access token you refresh). */
export type Credential = string | (() => string | Promise<string>);

export interface VeritasClientOptions {
  /** The server's origin (and path prefix, if any): `https://veritas.example.edu`. */
  baseUrl: string;
  /** An institution's API key (`vk_…`): for a partner's backend. Never hand it to a browser. */
  apiKey?: Credential;
  /** A person's access token (`POST /v1/auth/login`). */
  accessToken?: Credential;
  /** The fetch to use (a test's, a proxy-aware one); the global fetch otherwise. */
  fetch?: (request: Request) => Promise<Response>;
}

/** The typed client: openapi-fetch's `GET`, `POST`, … over every route of the Veritas OpenAPI document. */
export type VeritasClient = Client<paths>;

/**
 * A typed client for the Veritas API. Every request to `baseUrl` carries `Authorization: Bearer` with
 * the API key or access token (unless the request sets its own, as a write token for ingest does).
 * Every answer that is not a success is thrown as a `VeritasProblem`, so `data` is what the route
 * answers: `const { data } = await veritas.GET('/v1/sessions/{id}', { params: { path: { id } } })`.
 */
export function createVeritasClient(options: VeritasClientOptions): VeritasClient {
  if (options.apiKey !== undefined && options.accessToken !== undefined) throw new TypeError('give apiKey or accessToken, not both');
  const credential = options.apiKey ?? options.accessToken;
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const middleware: Middleware = {
    async onRequest({ request }) {
      if (credential === undefined || request.headers.has('Authorization')) return undefined;
      const token = typeof credential === 'function' ? await credential() : credential;
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    async onResponse({ response }) {
      if (!response.ok) throw await VeritasProblem.fromResponse(response);
      return undefined;
    },
  };
  client.use(middleware);
  return client;
}

/**
 * The data of a success, typed without `undefined`: `const session = await ok(veritas.POST('/v1/sessions', { body }))`.
 * (The client throws every failure as a `VeritasProblem`; this states it for the type checker.)
 */
export async function ok<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, response } = await pending;
  if (!response.ok) throw await VeritasProblem.fromResponse(response);
  return data as D;
}
