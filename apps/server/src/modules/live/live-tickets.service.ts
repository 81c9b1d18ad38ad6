import { randomToken, tokenHash } from '../auth';
import type { Actor, AuthMethod } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { scopeOfRow } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import type { LiveAccess } from './live-access';
import { deleteExpiredLiveTickets, findLiveTicket, insertLiveTicket } from './live-tickets.repository';

/** A ticket opens a stream within this long of being issued (the stream then lives on, re-checked). */
export const LIVE_TICKET_TTL_S = 60;

const AUTH_METHODS: readonly string[] = ['password', 'oidc', 'lti'] satisfies AuthMethod[];

export interface LiveTickets {
  /**
   * A ticket for the session's live stream, issued to the actor that asked (already let through as
   * a reader of it). Shown once; only its SHA-256 is stored.
   */
  issue(actor: Actor, sessionId: string): Promise<{ ticket: string; expiresAt: Date }>;
  /**
   * The actor a ticket was issued to, as it is now (a disabled person or a revoked key holds no
   * ticket), when the ticket is for this session and unexpired; else undefined.
   */
  resolve(sessionId: string, ticket: string): Promise<Actor | undefined>;
}

export function createLiveTickets({ database: { db }, access, now }: { database: Database; access: LiveAccess; now: () => Date }): LiveTickets {
  return {
    async issue(actor, sessionId) {
      const at = now();
      const expiresAt = new Date(at.getTime() + LIVE_TICKET_TTL_S * 1000);
      const ticket = randomToken();
      const who = issuedTo(actor);
      await guard(
        db.transaction().execute(async (trx) => {
          await deleteExpiredLiveTickets(trx, new Date(at.getTime() - LIVE_TICKET_TTL_S * 1000));
          await insertLiveTicket(trx, { token_hash: tokenHash(ticket), session_id: sessionId, expires_at: expiresAt, ...who });
        }),
      );
      return { ticket, expiresAt };
    },

    async resolve(sessionId, ticket) {
      const row = await guard(findLiveTicket(db, sessionId, tokenHash(ticket), now()));
      if (!row) return undefined;
      switch (row.actor_kind) {
        case 'user': {
          if (row.tenant_id === null || row.actor_id === null) return undefined;
          const via = AUTH_METHODS.includes(row.auth_method ?? '') ? (row.auth_method as AuthMethod) : 'password';
          return access.user(row.tenant_id, row.actor_id, via);
        }
        case 'api-key':
          return row.tenant_id === null || row.actor_id === null ? undefined : access.apiKey(row.tenant_id, row.actor_id);
        case 'session-reader':
          return { kind: 'session-reader', sessionId, scope: scopeOfRow(row), ...(row.actor_id !== null ? { shareLinkId: row.actor_id } : {}) };
      }
    },
  };
}

/** The ticket's holder as stored: kind, id, tenant (a writer's ticket reads, as its write token does). */
function issuedTo(actor: Actor): {
  actor_kind: 'user' | 'api-key' | 'session-reader';
  actor_id: string | null;
  tenant_id: string | null;
  auth_method: string | null;
} {
  switch (actor.kind) {
    case 'user':
      return { actor_kind: 'user', actor_id: actor.userId, tenant_id: actor.tenantId, auth_method: actor.via };
    case 'api-key':
      return { actor_kind: 'api-key', actor_id: actor.keyId, tenant_id: actor.tenantId, auth_method: 'api-key' };
    case 'session-reader':
      return {
        actor_kind: 'session-reader',
        actor_id: actor.shareLinkId ?? null,
        tenant_id: actor.scope.tenantId,
        auth_method: actor.shareLinkId ? 'share-link' : 'session-id',
      };
    case 'session-writer':
      return { actor_kind: 'session-reader', actor_id: null, tenant_id: actor.scope.tenantId, auth_method: 'write-token' };
    case 'anonymous':
      throw new AppError('unauthenticated', 'a live ticket is issued to a reader of the session');
  }
}
