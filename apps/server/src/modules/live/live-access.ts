import DataLoader from 'dataloader';
import { API_SCOPES, type Actor, type ApiKeyActor, type ApiScope, type AuthMethod, type UserActor } from '../../kernel/actor';
import { tenantId, tenantScope, type Scope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import { findUser } from '../people';
import { findApiKey } from '../api-keys';
import { findShareLink } from '../share-links';
import type { Grants } from '../grants';
import type { SessionsService } from '../sessions';

/**
 * Who a live viewer is *now*: a person or key read again from the tenant's rows (a disabled person or
 * a revoked key is nobody), with the session's grant worked out again. Used when a ticket is redeemed
 * and, every few seconds, for as long as a stream is open.
 */
export interface LiveAccess {
  /** The person (active, with their current role) of a tenant, or undefined. */
  user(tenant: string, userId: string, via: AuthMethod, signInId?: string): Promise<UserActor | undefined>;
  /** The key (not revoked, with its current scopes) of a tenant, or undefined. */
  apiKey(tenant: string, keyId: string): Promise<ApiKeyActor | undefined>;
  /** Whether this actor may still read the session: what the access hook would decide on a new request. */
  stillReads(actor: Actor, sessionId: string, now: Date): Promise<boolean>;
}

/**
 * How long one reading of a person is shared by the re-checks of all their open streams in this
 * instance. A teacher watching 30 students had 30 streams each reading the same user row every
 * re-check; now it is one read per second at most, so a disabled person's streams still close
 * within a re-check period plus this.
 */
export const USER_RECHECK_SHARE_MS = 1000;

/**
 * Re-checks of one person's streams that fall within this share one grant query. The streams' timers
 * are spread over the period (session-feed.ts), so a teacher watching 30 students re-checks about six
 * a second: one query per stream was 400 a second at an exam of 2,000 (bench/live).
 */
export const recheckWindowOf = (recheckMs: number): number => Math.min(1000, Math.max(1, Math.floor(recheckMs / 4)));

const knownScopes = (scopes: readonly string[]): ApiScope[] => scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));

export function createLiveAccess({
  database: { db },
  grants,
  sessions,
  recheckWindowMs = 0,
}: {
  database: Database;
  grants: Grants;
  sessions: SessionsService;
  /** How long a person's re-checks gather before their one grant query (0: the next turn of the event loop). */
  recheckWindowMs?: number;
}): LiveAccess {
  const exists = async (scope: Scope, sessionId: string) =>
    sessions.get(scope, sessionId).then(
      () => true,
      (err: unknown) => {
        if ((err as { code?: string }).code === 'not-found') return false;
        throw err;
      },
    );
  /** Re-checks' readings of people, shared for USER_RECHECK_SHARE_MS (never used to redeem a ticket). */
  const recentUsers = new Map<string, { at: number; user: Promise<UserActor | undefined> }>();
  const personKey = (actor: UserActor) => JSON.stringify([actor.tenantId, actor.userId, actor.via, actor.signInId ?? null]);
  const userForRecheck = (actor: UserActor): Promise<UserActor | undefined> => {
    const key = personKey(actor);
    const at = Date.now();
    const known = recentUsers.get(key);
    if (known && at - known.at < USER_RECHECK_SHARE_MS) return known.user;
    if (recentUsers.size >= 1000) for (const [k, v] of recentUsers) if (at - v.at >= USER_RECHECK_SHARE_MS) recentUsers.delete(k);
    const user = access.user(actor.tenantId, actor.userId, actor.via, actor.signInId);
    recentUsers.set(key, { at, user });
    // A failed reading is not shared: the next re-check reads again.
    user.catch(() => recentUsers.delete(key));
    return user;
  };
  /** A person's re-checks gathering for their next grant query; the entry goes when the query is made, so only people with re-checks pending are held. */
  const gathering = new Map<string, DataLoader<string, boolean>>();
  const readsForRecheck = (actor: UserActor, sessionId: string): Promise<boolean> => {
    const key = personKey(actor);
    let loader = gathering.get(key);
    if (!loader) {
      const mine: DataLoader<string, boolean> = new DataLoader<string, boolean>(
        async (ids) => {
          if (gathering.get(key) === mine) gathering.delete(key);
          const current = await userForRecheck(actor);
          if (current === undefined) return ids.map(() => false);
          const readable = await grants.sessionsRead(current, ids);
          return ids.map((id) => readable.has(id));
        },
        { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setTimeout(run, recheckWindowMs) },
      );
      loader = mine;
      gathering.set(key, loader);
    }
    return loader.load(sessionId);
  };
  const access: LiveAccess = {
    async user(tenant, userId, via, signInId) {
      const row = await guard(findUser(db, tenantId(tenant), userId));
      if (!row || row.status !== 'active') return undefined;
      return {
        kind: 'user',
        userId: row.id,
        tenantId: tenantId(row.tenant_id),
        role: row.role,
        via,
        scope: tenantScope(row.tenant_id),
        ...(signInId ? { signInId } : {}),
      };
    },
    async apiKey(tenant, keyId) {
      const row = await guard(findApiKey(db, tenantId(tenant), keyId));
      if (!row || row.revoked_at !== null) return undefined;
      return { kind: 'api-key', keyId: row.id, tenantId: tenantId(row.tenant_id), scopes: knownScopes(row.scopes), scope: tenantScope(row.tenant_id) };
    },
    async stillReads(actor, sessionId, now) {
      switch (actor.kind) {
        case 'user':
          return readsForRecheck(actor, sessionId);
        case 'api-key': {
          const current = await access.apiKey(actor.tenantId, actor.keyId);
          return current !== undefined && current.scopes.includes('sessions:read') && (await grants.sessionGrant(current, sessionId)) === 'read';
        }
        case 'session-reader': {
          if (actor.sessionId !== sessionId) return false;
          if (actor.shareLinkId === undefined) return exists(actor.scope, sessionId);
          const link = await guard(findShareLink(db, actor.scope, sessionId, actor.shareLinkId));
          return link !== undefined && link.revoked_at === null && (link.expires_at === null || link.expires_at > now);
        }
        case 'session-writer':
          return actor.sessionId === sessionId && exists(actor.scope, sessionId);
        case 'anonymous':
          return false;
      }
    },
  };
  return access;
}
