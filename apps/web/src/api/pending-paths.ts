import type { paths } from './schema';

/**
 * Names for the sign-in answers the pages use, taken from the generated document (docs/openapi.json):
 * the sign-in routes have landed, so nothing here is written by hand any more.
 */
type Ok<T> = T extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
type Body<T> = T extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : T extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B
    : never;

/** `GET /v1/me`: the signed-in person. */
export type Me = Ok<paths['/v1/me']['get']>;
export type Role = Me['role'];
/** What signing in answers (login, refresh, accepting a link). */
export type SignedIn = Ok<paths['/v1/auth/login']['post']>;
/** `GET /v1/auth/links/{token}`: what an invitation or password-reset link is for. */
export type LinkInfo = Ok<paths['/v1/auth/links/{token}']['get']>;
/** `PATCH /v1/me`. */
export type MePatch = Body<paths['/v1/me']['patch']>;

/** No route is pending: every route the app calls is in the generated document. */
export type PendingPaths = Record<never, never>;
