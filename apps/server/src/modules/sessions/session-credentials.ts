import { hexEqual, sha256Hex } from '@veritas/schema';
import { ANONYMOUS, type AnonymousActor, type SessionReader, type SessionWriter } from '../../kernel/actor';
import { PUBLIC_SCOPE, scopeOfRow } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { isUnavailable, rethrowUnavailable } from '../../platform/db/database-errors';
import { sameSecret } from '../auth';
import { findSessionForWrite } from './sessions.repository';

/** Facts of a session: its tenant (never changes) and its write key (changes only when an attempt's token is rotated). */
interface StoredCredential {
  writeKey: string | null;
  tenantId: string | null;
  /** Declared at creation and never changed: safe to cache. */
  sealing: 'client' | 'server';
  /** The token last proven to hash to writeKey: the same token again skips the SHA-256 (a recorder sends one per batch). */
  provenToken?: string;
}

export interface SessionCredentials {
  /**
   * The actor of a request about `sessionId`: its writer when `token` is the session's write token;
   * otherwise, for a public session, the holder of the id (the read capability), with the reason a
   * sent token did not count. A tenant's session is not readable by its id: without its write token
   * the caller is anonymous (people and share links read it, resolved elsewhere).
   */
  actorFor(sessionId: string, token: string | undefined): Promise<SessionReader | SessionWriter | AnonymousActor>;
  /** The tenant of a session (null: a public session), or undefined when there is no such session (for CORS). */
  tenantOf(sessionId: string): Promise<string | null | undefined>;
  /** Drops what is cached of a session (it ended, or was deleted). */
  forget(sessionId: string): void;
  /** How many sessions are cached (bounded; ended sessions are not kept). */
  cachedSessions(): number;
}

/** A wrong token for a tenant's session: anonymous, with the reason (the writer routes answer invalid-token). */
const REFUSED: AnonymousActor = Object.freeze({ kind: 'anonymous', refused: 'invalid-token' });

const MAX_CACHED = 50_000;

/** Checks write tokens against the stored SHA-256, with a bounded cache so ingest does not read the session per batch. */
export function createSessionCredentials(database: Database): SessionCredentials {
  const cache = new Map<string, StoredCredential>();

  async function credentialOf(sessionId: string): Promise<StoredCredential | undefined> {
    const cached = cache.get(sessionId);
    if (cached) return cached;
    const row = await findSessionForWrite(database.db, sessionId).catch(rethrowUnavailable);
    if (!row) return undefined;
    const credential: StoredCredential = { writeKey: row.write_key, tenantId: row.tenant_id, sealing: row.sealing };
    // An ended session takes no more batches: keeping it would only grow the cache with every session
    // a long-running server sees (the soak's heap snapshots found exactly that).
    if (row.status === 'ended') return credential;
    // Bounded: a cache, not a store. The oldest entry goes first, not the whole cache at once (which
    // sent every open session's next batch to the database together).
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(sessionId, credential);
    return credential;
  }

  return {
    async actorFor(sessionId, token) {
      const reader: SessionReader = { kind: 'session-reader', sessionId, scope: PUBLIC_SCOPE };
      // Without a token and without the database, the id is taken as the public capability it would
      // be: that reader reads in the public scope only, so no tenant's row can reach it, and the
      // route's own query answers the outage (503); a WebSocket upgrade opens and answers it at its hello.
      let credential: StoredCredential | undefined;
      try {
        credential = await credentialOf(sessionId);
      } catch (err) {
        if (token === undefined && isUnavailable(err)) return reader;
        throw err;
      }
      // An unknown id reads nothing; with a token, the writer routes say the session is not found.
      if (!credential) return token === undefined ? ANONYMOUS : { ...reader, refusedToken: 'not-found' };
      const isPublic = credential.tenantId === null;
      if (token === undefined) return isPublic ? reader : ANONYMOUS;
      if (!credential.writeKey) return isPublic ? { ...reader, refusedToken: 'invalid-token' } : REFUSED;
      if (credential.provenToken === undefined || !sameSecret(token, credential.provenToken)) {
        const hash = await sha256Hex(token);
        if (!hexEqual(hash, credential.writeKey)) {
          // The key may have been replaced since it was cached (an exam attempt resumed rotates its token): read it once more.
          cache.delete(sessionId);
          credential = await credentialOf(sessionId);
          if (!credential?.writeKey || !hexEqual(hash, credential.writeKey)) return isPublic ? { ...reader, refusedToken: 'invalid-token' } : REFUSED;
        }
        credential.provenToken = token;
      }
      const writer: SessionWriter = { kind: 'session-writer', sessionId, scope: scopeOfRow({ tenant_id: credential.tenantId }), macKey: credential.writeKey };
      return credential.sealing === 'server' ? { ...writer, sealing: 'server' } : writer;
    },
    async tenantOf(sessionId) {
      return (await credentialOf(sessionId))?.tenantId;
    },
    forget(sessionId) {
      cache.delete(sessionId);
    },
    cachedSessions: () => cache.size,
  };
}
