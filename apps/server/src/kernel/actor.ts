import type { Scope, TenantId } from './scope';

/**
 * Who is calling, as the auth plugin resolved it from the request. Capabilities (a session id, a
 * write token, a share link) make session-bound actors; people of a tenant sign in and make users;
 * partners' API keys make api-key actors. The policy table (policy.ts) has a column per kind.
 */
export type Actor = AnonymousActor | SessionReader | SessionWriter | UserActor | ApiKeyActor;

/** No credential at all, or one that did not count. */
export interface AnonymousActor {
  readonly kind: 'anonymous';
  /**
   * A credential was sent but did not hold: an access token or API key (`token-expired`,
   * `invalid-credential`: 401 wherever it was sent), or a write token of a tenant's session
   * (`invalid-token`: 401 on writer routes, and on reader routes the same 404 as no credential).
   */
  readonly refused?: 'token-expired' | 'invalid-credential' | 'invalid-token';
}

/** Holds a session id (the read capability of an anonymous public session) or a share link of a session. */
export interface SessionReader {
  readonly kind: 'session-reader';
  readonly sessionId: string;
  readonly scope: Scope;
  /** A write token was sent but did not hold for this session: why (for a writer route's answer). */
  readonly refusedToken?: 'invalid-token' | 'not-found';
  /** Set when the capability is a share link rather than the id itself: the link's id, for the audit. */
  readonly shareLinkId?: string;
  /** With shareLinkId: what the link opens (the share-links module refuses the rest). */
  readonly shareScope?: 'replay' | 'report' | 'both';
}

/** Holds a session's write token: writes that session, in the session's own scope. */
export interface SessionWriter {
  readonly kind: 'session-writer';
  readonly sessionId: string;
  readonly scope: Scope;
  /** The stored SHA-256 of the write token: the key batch MACs are checked with. */
  readonly macKey: string;
  /** 'server': the session was created with sealing "server", its batches come unsealed (docs/adr/0024). */
  readonly sealing?: 'server';
}

export const ROLES = ['admin', 'teacher', 'observer', 'student'] as const;
export type Role = (typeof ROLES)[number];

/** How a person proved who they are (recorded in the audit). */
export type AuthMethod = 'password' | 'oidc' | 'lti';

/** A signed-in person of a tenant, from a verified access token. */
export interface UserActor {
  readonly kind: 'user';
  readonly userId: string;
  readonly tenantId: TenantId;
  readonly role: Role;
  readonly via: AuthMethod;
  readonly scope: Scope;
  /** For a request about a session: whether this person may read it (resolved from the tenant's rows). */
  readonly sessionGrant?: SessionGrant;
  /** The sign-in (refresh-token family) the access token came from, when it says so: kept when the person changes their password. */
  readonly signInId?: string;
}

/** What a person or key may do with the session a request names. */
export type SessionGrant = 'read' | 'none';

export const API_SCOPES = ['sessions:write', 'sessions:read', 'reports:read', 'attempts:grade', 'analyses:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** A partner platform's API key of a tenant. */
export interface ApiKeyActor {
  readonly kind: 'api-key';
  readonly keyId: string;
  readonly tenantId: TenantId;
  readonly scopes: readonly ApiScope[];
  readonly scope: Scope;
  readonly sessionGrant?: SessionGrant;
}

export type ActorKind = Actor['kind'];

export const ANONYMOUS: AnonymousActor = Object.freeze({ kind: 'anonymous' });

/** The actor as the audit records it: its kind, its id, and how it authenticated. */
export function actorIdentity(actor: Actor): { kind: ActorKind; id: string | null; authMethod: string } {
  switch (actor.kind) {
    case 'anonymous':
      return { kind: actor.kind, id: null, authMethod: 'none' };
    case 'session-reader':
      return { kind: actor.kind, id: actor.shareLinkId ?? null, authMethod: actor.shareLinkId ? 'share-link' : 'session-id' };
    case 'session-writer':
      return { kind: actor.kind, id: actor.sessionId, authMethod: 'write-token' };
    case 'user':
      return { kind: actor.kind, id: actor.userId, authMethod: actor.via };
    case 'api-key':
      return { kind: actor.kind, id: actor.keyId, authMethod: 'api-key' };
  }
}
