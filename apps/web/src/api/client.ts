import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';
import type { PendingPaths, SignedIn } from './pending-paths';
import { ApiProblem } from './problem';

/** Every route the app calls: the generated document, and the pending ones it does not hold yet (it wins path by path). */
export type ApiPaths = paths & Omit<PendingPaths, keyof paths>;

/** The readable cookie the server sets beside the httpOnly refresh cookie; echoed as X-CSRF-Token. */
export const CSRF_COOKIE = 'veritas_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
/** A share link's token; a request carrying one goes as the link's holder (see `send`). */
export const SHARE_HEADER = 'X-Veritas-Share';
const REFRESH_PATH = '/v1/auth/refresh';
const REFRESH_LOCK = 'veritas-refresh';

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The signed-in state the client holds: the access token, in memory only (never storage), and how to renew it. */
export interface Credentials {
  /** Whether an access token is held. */
  readonly signedIn: boolean;
  /** Keeps the token of an answer that signed in (login, refresh, an accepted link). */
  accept(answer: SignedIn): void;
  /** Forgets the token (signing out, or a refresh that failed) and tells the listeners. */
  drop(): void;
  /**
   * Trades the refresh cookie for a new access token (`POST /v1/auth/refresh` with the CSRF header).
   * Concurrent calls share one request, and tabs take turns (Web Locks): refresh tokens rotate, and
   * the server revokes a whole sign-in when one is used twice. False when there is no sign-in to renew.
   */
  refresh(): Promise<boolean>;
  /** The first refresh when the app loads; requests made meanwhile wait for it (so they go signed in). */
  restore(): Promise<boolean>;
  /** Called when the sign-in is lost (a refresh refused, a sign-out). */
  onDropped(listener: () => void): () => void;
}

export interface ApiClient {
  /** The typed client (openapi-fetch): `api.GET('/v1/sessions/{id}', { params: { path: { id } } })`. */
  api: Client<ApiPaths>;
  credentials: Credentials;
}

/**
 * One client per app. Every request to this origin carries the access token; an answer
 * `401 token-expired` is retried once after one refresh. Errors are answers, as openapi-fetch returns
 * them; `unwrap` turns them into thrown `ApiProblem`s.
 */
export function createApiClient({ baseUrl = window.location.origin, fetch: send = (r: Request) => fetch(r) } = {}): ApiClient {
  let token: string | null = null;
  let inFlight: Promise<boolean> | null = null;
  let restoring: Promise<boolean> | null = null;
  const listeners = new Set<() => void>();

  const drop = () => {
    const had = token !== null;
    token = null;
    if (had) for (const l of listeners) l();
  };

  const renew = async (): Promise<boolean> => {
    // Read inside the lock: another tab may have just rotated the cookies.
    const csrf = readCookie(CSRF_COOKIE);
    if (!csrf) return false;
    let res: Response;
    try {
      res = await send(new Request(baseUrl + REFRESH_PATH, { method: 'POST', headers: { [CSRF_HEADER]: csrf }, credentials: 'same-origin' }));
    } catch {
      return false; // offline: keep what we hold, the next request tries again
    }
    if (!res.ok) {
      drop();
      return false;
    }
    token = ((await res.json()) as SignedIn).accessToken;
    return true;
  };

  const refresh = (): Promise<boolean> => {
    inFlight ??= (async () => {
      try {
        const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
        return locks ? await locks.request(REFRESH_LOCK, renew) : await renew();
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  const withBearer = (request: Request, bearer: string) => {
    const headers = new Headers(request.headers);
    headers.set('Authorization', `Bearer ${bearer}`);
    return new Request(request, { headers });
  };

  const authorised = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    // The token goes to this origin's API only; a share link's request goes as the link's holder
    // (the server would take a bearer over the link, and the person may hold no grant to that session).
    if (url.origin !== new URL(baseUrl).origin || url.pathname === REFRESH_PATH || request.headers.has(SHARE_HEADER)) return send(request);
    if (restoring) await restoring;
    const used = token;
    if (!used) return send(request);
    const retry = request.clone();
    const res = await send(withBearer(request, used));
    if (res.status !== 401) return res;
    const problem = (await res
      .clone()
      .json()
      .catch(() => null)) as { type?: string } | null;
    if (problem?.type !== 'urn:veritas:problem:token-expired') return res;
    // Another request may have refreshed meanwhile: then its token serves; otherwise refresh, once.
    if (token === used && !(await refresh())) return res;
    return token ? send(withBearer(retry, token)) : res;
  };

  const credentials: Credentials = {
    get signedIn() {
      return token !== null;
    },
    accept(answer) {
      token = answer.accessToken;
    },
    drop,
    refresh,
    restore() {
      restoring ??= refresh();
      return restoring;
    },
    onDropped(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return { api: createClient<ApiPaths>({ baseUrl, fetch: authorised }), credentials };
}

/** The app's client. */
export const { api, credentials } = createApiClient();

/**
 * The data of a success, or throws the answer as an `ApiProblem`: `const me = await unwrap(api.GET('/v1/me'))`.
 * Network failures and aborts are thrown as fetch throws them.
 */
export async function unwrap<D>(pending: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok) throw ApiProblem.from(response, error);
  return data as D;
}
