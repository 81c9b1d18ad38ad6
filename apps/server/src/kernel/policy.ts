import type { Actor, ActorKind } from './actor';
import { AppError, type ProblemCode } from './errors';
import { PUBLIC_SCOPE, type Scope } from './scope';

/**
 * Who may call a route, as each route declares it in `config.access`:
 * - anyone: health, metrics, docs, the web app
 * - public: anonymous callers, rate limited (session creation, bundle upload), when the server allows them
 * - reader: whoever holds the session id (an unguessable read capability) within its scope
 * - writer: the holder of the session's write token
 */
export type Access = 'anyone' | 'public' | 'reader' | 'writer';

export const ACCESS_LEVELS: readonly Access[] = ['anyone', 'public', 'reader', 'writer'];

/** The one table: which kind of actor passes which access. Pure; `policy.test.ts` walks it. */
export const POLICY: Readonly<Record<Access, Readonly<Record<ActorKind, boolean>>>> = {
  anyone: { anonymous: true, 'session-reader': true, 'session-writer': true },
  public: { anonymous: true, 'session-reader': true, 'session-writer': true },
  reader: { anonymous: false, 'session-reader': true, 'session-writer': true },
  writer: { anonymous: false, 'session-reader': false, 'session-writer': true },
};

/** What the request is about: the session named in its path, if any; and the server's settings that bear on access. */
export interface AccessTarget {
  sessionId?: string;
  /** Whether this server takes anonymous sessions (VERITAS_PUBLIC_SESSIONS). */
  publicSessions: boolean;
}

export type Decision = { allowed: true } | { allowed: false; code: ProblemCode; detail?: string };

const ALLOW: Decision = { allowed: true };

/** Decides one request. A session-bound actor passes only for its own session. */
export function decide(actor: Actor, access: Access, target: AccessTarget): Decision {
  if (access === 'public' && !target.publicSessions) return { allowed: false, code: 'public-sessions-disabled' };
  if (!POLICY[access][actor.kind]) return refusal(actor, access);
  if ((access === 'reader' || access === 'writer') && actor.kind !== 'anonymous' && actor.sessionId !== target.sessionId) {
    // A capability for another session counts as none for this one.
    return access === 'writer' ? { allowed: false, code: 'invalid-token' } : { allowed: false, code: 'not-found' };
  }
  return ALLOW;
}

function refusal(actor: Actor, access: Access): Decision {
  if (access === 'writer') {
    if (actor.kind === 'session-reader' && actor.refusedToken) return { allowed: false, code: actor.refusedToken };
    return { allowed: false, code: 'missing-token', detail: 'send the write token as "Authorization: Bearer <token>"' };
  }
  return { allowed: false, code: 'not-found' };
}

/** `decide`, throwing the typed error of a refusal. */
export function enforce(actor: Actor, access: Access, target: AccessTarget): void {
  const d = decide(actor, access, target);
  if (!d.allowed) throw new AppError(d.code, d.detail);
}

/**
 * Which sessions an actor may list (GET /v1/sessions). A session id is a read capability, so a list
 * must never hand out the ids of sessions whose holders did not publish them: every actor of today
 * (anonymous, or holding one session's capability) sees only the published sessions of the public
 * scope (the demo data). People of a tenant will get a row that lists their tenant's sessions.
 */
export type Listing = 'published';

export const LISTING: Readonly<Record<ActorKind, Listing>> = {
  anonymous: 'published',
  'session-reader': 'published',
  'session-writer': 'published',
};

/** The scope and the filter a listing runs with for this actor. */
export function listingOf(actor: Actor): { scope: Scope; publishedOnly: boolean } {
  switch (LISTING[actor.kind]) {
    case 'published':
      // Not the actor's own scope: holding one session's id says nothing about the others in it.
      return { scope: PUBLIC_SCOPE, publishedOnly: true };
  }
}
