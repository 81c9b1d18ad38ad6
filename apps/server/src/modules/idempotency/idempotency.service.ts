import { createHash } from 'node:crypto';
import type { Database } from '../../platform/db/database';
import { guard } from '../../platform/db/database-errors';
import { completeClaim, deleteExpiredRecords, findRecord, insertClaim, releaseClaim, takeOverClaim, type NewClaim } from './idempotency.repository';
import { openAnswer, sealAnswer } from './sealed-answer';

/** How long a first answer is replayed: a day covers any client's retries, and a recorder's offline spell. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60_000;
/** A first request still "in flight" after this long died with its process: a retry may run it again. */
export const IN_FLIGHT_STALE_MS = 2 * 60_000;

export interface IdempotentRequest {
  /** The Idempotency-Key the client sent. */
  key: string;
  /** Who is asking (tenant and person, key, or anonymous address): the same key from someone else is another request. */
  principal: string;
  tenantId: string | null;
  /** A hash of what is asked (method, route, params, query, body). */
  fingerprint: string;
}

export type IdempotencyOutcome =
  { kind: 'claimed' } | { kind: 'replay'; status: number; contentType: string | null; body: string } | { kind: 'in-flight' } | { kind: 'reused' };

export interface IdempotencyService {
  /** Claims the key for a first request, or says what an earlier request with it answered (or that it is still running). */
  begin(request: IdempotentRequest): Promise<{ lookupHash: string; outcome: IdempotencyOutcome }>;
  /** Keeps the first request's answer for its retries. */
  complete(lookupHash: string, key: string, status: number, contentType: string | null, body: string): Promise<void>;
  /** The first request failed: its key is free again. */
  release(lookupHash: string): Promise<void>;
  /** Deletes records past their day (scheduled). */
  purgeExpired(): Promise<number>;
}

export function createIdempotencyService(database: Database, now: () => Date = () => new Date()): IdempotencyService {
  const db = database.db;
  return {
    async begin(request) {
      const lookupHash = createHash('sha256').update(`${request.principal}\n${request.key}`).digest('hex');
      const at = now();
      const claim: NewClaim = {
        lookupHash,
        tenantId: request.tenantId,
        fingerprint: request.fingerprint,
        claimedAt: at,
        expiresAt: new Date(at.getTime() + IDEMPOTENCY_TTL_MS),
      };
      // Two tries: a record seen expired or stale is taken over, and a racing retry may win that.
      for (let attempt = 0; attempt < 2; attempt += 1) {
        if (await guard(insertClaim(db, claim))) return { lookupHash, outcome: { kind: 'claimed' } };
        const row = await guard(findRecord(db, lookupHash));
        if (!row) continue; // released between our insert and read
        const expired = row.expires_at.getTime() <= at.getTime();
        const stale = row.status === null && row.claimed_at.getTime() < at.getTime() - IN_FLIGHT_STALE_MS;
        if (expired || stale) {
          if (await guard(takeOverClaim(db, claim, row, new Date(at.getTime() - IN_FLIGHT_STALE_MS)))) return { lookupHash, outcome: { kind: 'claimed' } };
          continue;
        }
        if (row.fingerprint !== request.fingerprint) return { lookupHash, outcome: { kind: 'reused' } };
        if (row.status === null || row.sealed_answer === null) return { lookupHash, outcome: { kind: 'in-flight' } };
        const body = openAnswer(request.key, lookupHash, row.sealed_answer);
        // The same key and caller always open it; a row that does not open was altered: refuse, never replay it.
        if (body === undefined) return { lookupHash, outcome: { kind: 'reused' } };
        return { lookupHash, outcome: { kind: 'replay', status: row.status, contentType: row.content_type, body } };
      }
      return { lookupHash, outcome: { kind: 'in-flight' } };
    },
    async complete(lookupHash, key, status, contentType, body) {
      await guard(completeClaim(db, lookupHash, status, contentType, sealAnswer(key, lookupHash, body)));
    },
    async release(lookupHash) {
      await guard(releaseClaim(db, lookupHash));
    },
    async purgeExpired() {
      return guard(deleteExpiredRecords(db, now()));
    },
  };
}
