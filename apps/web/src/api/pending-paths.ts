/**
 * The sign-in and profile routes the web app calls before they are in docs/openapi.json (issue 10:
 * they are being built on other branches), written from their agreed contract in the shape
 * openapi-typescript generates. client.ts lets the generated document win path by path
 * (`Omit<PendingPaths, keyof paths>`), so once a route lands and `npm run client` runs, its entry
 * here is ignored and the pages are type-checked against the real schema: delete it then.
 */

export type Role = 'admin' | 'teacher' | 'observer' | 'student';

/** `GET /v1/me`: the signed-in person. */
export interface Me {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  tenant: { id: string; slug: string; name: string };
  enrollmentId?: string;
  department?: string;
  /** How this sign-in was made: `password`, or `oidc` for the institution's single sign-on. */
  authMethod: string;
}

/** What signing in answers (login, refresh, accepting a link); the refresh token travels as an httpOnly cookie. */
export interface SignedIn {
  accessToken: string;
  tokenType: string;
  /** Seconds. */
  expiresIn: number;
  user: Partial<Me> & { id: string };
}

/** `GET /v1/auth/links/{token}`: what an invitation or password-reset link is for. */
export interface LinkInfo {
  kind: 'invitation' | 'password-reset';
  email: string;
  tenantName: string;
  expiresAt: string;
}

/**
 * `PATCH /v1/me`: a new display name, or a new password with the current one. The field names of
 * the password change are this app's assumption until the route lands.
 */
export interface MePatch {
  displayName?: string;
  currentPassword?: string;
  newPassword?: string;
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  requestId?: string;
  [key: string]: unknown;
}

type Json<T> = { headers: { [name: string]: unknown }; content: { 'application/json': T } };
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type TokenParam = { query?: never; header?: never; path: { token: string }; cookie?: never };
type Operation<Params, Body, Ok> = {
  parameters: Params;
  requestBody: { content: { 'application/json': Body } };
  responses: { 200: Json<Ok>; '4XX': Json<ProblemBody>; '5XX': Json<ProblemBody> };
};
type Bodyless<Params, Ok> = {
  parameters: Params;
  requestBody?: never;
  responses: { 200: Json<Ok>; 204: { headers: { [name: string]: unknown }; content?: never }; '4XX': Json<ProblemBody>; '5XX': Json<ProblemBody> };
};
type Item<Ops> = { parameters: NoParams } & Ops;

export interface PendingPaths {
  '/v1/auth/login': Item<{ post: Operation<NoParams, { email: string; password: string }, SignedIn> }>;
  '/v1/auth/refresh': Item<{ post: Bodyless<NoParams, SignedIn> }>;
  '/v1/auth/logout': Item<{ post: Bodyless<NoParams, unknown> }>;
  '/v1/me': Item<{ get: Bodyless<NoParams, Me>; patch: Operation<NoParams, MePatch, Me> }>;
  '/v1/auth/links/{token}': Item<{
    get: Bodyless<TokenParam, LinkInfo>;
    post: Operation<TokenParam, { password: string; displayName?: string }, SignedIn>;
  }>;
}
