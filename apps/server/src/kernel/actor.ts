import type { Scope } from './scope';

/**
 * Who is calling, as the auth plugin resolved it from the request. Today callers hold capabilities,
 * not accounts: the session id is the read capability, the write token the write capability. People
 * (with a tenant and a role) and API keys join this union later; the policy table grows a column each.
 */
export type Actor = AnonymousActor | SessionReader | SessionWriter;

/** No credential at all, or one that did not count (`refused` says why, for the answer). */
export interface AnonymousActor {
  readonly kind: 'anonymous';
}

/** Holds a session id, the unguessable read capability; it reads in the public scope. */
export interface SessionReader {
  readonly kind: 'session-reader';
  readonly sessionId: string;
  readonly scope: Scope;
  /** A write token was sent but did not hold for this session: why (for a writer route's answer). */
  readonly refusedToken?: 'invalid-token' | 'not-found';
}

/** Holds a session's write token: writes that session, in the session's own scope. */
export interface SessionWriter {
  readonly kind: 'session-writer';
  readonly sessionId: string;
  readonly scope: Scope;
  /** The stored SHA-256 of the write token: the key batch MACs are checked with. */
  readonly macKey: string;
}

export type ActorKind = Actor['kind'];

export const ANONYMOUS: AnonymousActor = Object.freeze({ kind: 'anonymous' });
