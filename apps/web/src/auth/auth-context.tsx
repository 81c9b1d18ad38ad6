import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { credentials } from '../api/client';
import type { Me } from '../api/pending-paths';
import { acceptLink, restoreSignIn, signIn, signOut } from './session';

export type AuthState = { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; me: Me };

export interface Auth {
  state: AuthState;
  signIn(email: string, password: string): Promise<Me>;
  acceptLink(token: string, body: { password: string; displayName?: string }): Promise<Me>;
  signOut(): Promise<void>;
  /** After the person changed their profile. */
  update(me: Me): void;
}

const AuthContext = createContext<Auth | null>(null);

/** Who is signed in, for the whole app: restored from the refresh cookie on load, then kept as sign-ins come and go. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    const off = credentials.onDropped(() => setState({ status: 'signed-out' }));
    void restoreSignIn().then((me) => {
      if (live) setState(me ? { status: 'signed-in', me } : { status: 'signed-out' });
    });
    return () => {
      live = false;
      off();
    };
  }, []);
  const signedIn = useCallback((me: Me) => {
    setState({ status: 'signed-in', me });
    return me;
  }, []);
  const auth = useMemo<Auth>(
    () => ({
      state,
      signIn: (email, password) => signIn(email, password).then(signedIn),
      acceptLink: (token, body) => acceptLink(token, body).then(signedIn),
      signOut: () => signOut().finally(() => setState({ status: 'signed-out' })),
      update: (me) => void signedIn(me),
    }),
    [state, signedIn],
  );
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside <AuthProvider>');
  return auth;
}
