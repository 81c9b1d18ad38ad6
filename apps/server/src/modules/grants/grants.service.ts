import type { ApiKeyActor, SessionGrant, UserActor } from '../../kernel/actor';
import { listingOf } from '../../kernel/policy';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import { sessionsWithinReach } from './grants.repository';

export interface Grants {
  /**
   * Whether this person or key may read the session (the auth plugin's sessionGrant): one query,
   * scoped by the actor's tenant. Another tenant's session, a public one and an unknown id are all
   * 'none', so the access hook answers them alike (404).
   */
  sessionGrant(actor: UserActor | ApiKeyActor, sessionId: string): Promise<SessionGrant>;
  /** The same decision for many sessions in one query: the ids among them this person or key reads. */
  sessionsRead(actor: UserActor | ApiKeyActor, sessionIds: readonly string[]): Promise<Set<string>>;
}

export function createGrants({ db }: Database): Grants {
  const grants: Grants = {
    async sessionGrant(actor, sessionId) {
      return (await grants.sessionsRead(actor, [sessionId])).has(sessionId) ? 'read' : 'none';
    },
    async sessionsRead(actor, sessionIds) {
      // The policy checks the key's scope too; without it no query is worth making.
      if (actor.kind === 'api-key' && !actor.scopes.includes('sessions:read')) return new Set();
      const { scope, listing, userId } = listingOf(actor);
      const reach = { listing, ...(userId !== undefined ? { userId } : {}) };
      return guard(sessionsWithinReach(db, scope, reach, sessionIds));
    },
  };
  return grants;
}
