import { api, credentials, CSRF_COOKIE, CSRF_HEADER, readCookie, unwrap } from '../api/client';
import type { Me, MePatch, SignedIn } from '../api/pending-paths';

/** The calls that start, renew and end a sign-in; the auth context holds their result. */

export const loadMe = (): Promise<Me> => unwrap(api.GET('/v1/me'));

async function signedIn(answer: Promise<SignedIn>): Promise<Me> {
  credentials.accept(await answer);
  return loadMe();
}

export const signIn = (email: string, password: string) => signedIn(unwrap(api.POST('/v1/auth/login', { body: { email, password } })));

/** Accepts an invitation or a password reset: sets the password (and the display name of an invitation), and signs in. */
export const acceptLink = (token: string, body: { password: string; displayName?: string }) =>
  signedIn(unwrap(api.POST('/v1/auth/links/{token}', { params: { path: { token } }, body })));

export const updateMe = (patch: MePatch): Promise<Me> => unwrap(api.PATCH('/v1/me', { body: patch }));

/** Ends the sign-in on the server (its refresh cookie) and here; here even when the server cannot be reached. */
export async function signOut(): Promise<void> {
  const csrf = readCookie(CSRF_COOKIE);
  try {
    await api.POST('/v1/auth/logout', { body: {}, ...(csrf ? { headers: { [CSRF_HEADER]: csrf } } : {}) });
  } finally {
    credentials.drop();
  }
}

let restored: Promise<Me | null> | undefined;

/** On load: the sign-in the refresh cookie still holds, if any (no cookie, no request). Asked once per page load. */
export function restoreSignIn(): Promise<Me | null> {
  restored ??= (async () => {
    if (!(await credentials.restore())) return null;
    try {
      return await loadMe();
    } catch {
      credentials.drop();
      return null;
    }
  })();
  return restored;
}
