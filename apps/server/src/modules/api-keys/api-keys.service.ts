import { randomUUID } from 'node:crypto';
import { randomToken, tokenHash } from '../auth';
import { API_SCOPES, type AnonymousActor, type ApiKeyActor, type ApiScope, type UserActor } from '../../kernel/actor';
import { AppError } from '../../kernel/errors';
import { tenantId, tenantScope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import { guard, rethrowUnavailable } from '../../platform/db/database-errors';
import type { AuditService } from '../audit';
import type { Caller } from '../people';
import { findApiKey, findLiveKeyByHash, insertApiKey, listApiKeys, revokeApiKey, touchApiKey, type ApiKeyRow } from './api-keys.repository';

/** A key's last use is written at most this often per key and instance: a busy partner costs no write per request. */
export const LAST_USED_EVERY_MS = 60_000;
/** Keys whose last write this instance remembers; past it the notes start over (one extra write per key, no more). */
const MAX_NOTES = 10_000;

export interface ApiKeysService {
  /** A new key for the caller's tenant: the row, and the key itself, which is shown this once and stored only as its SHA-256. Audited. */
  create(caller: Caller, input: { name: string; scopes: ApiScope[] }): Promise<{ row: ApiKeyRow; key: string }>;
  /** The tenant's keys, newest first, revoked ones included. */
  list(actor: UserActor): Promise<ApiKeyRow[]>;
  /** Revokes a key at once (idempotent); not-found for another tenant's or an unknown key. Audited. */
  revoke(caller: Caller, keyId: string): Promise<void>;
  /** The partner a bearer key stands for; a revoked or unknown key is anonymous, refused as an invalid credential. */
  actorOf(token: string): Promise<ApiKeyActor | AnonymousActor>;
}

const INVALID: AnonymousActor = Object.freeze({ kind: 'anonymous', refused: 'invalid-credential' });

/** `vk_` and 32 random bytes in base64url (43 characters): the shape the auth plugin recognises (API_KEY_SHAPE). */
export const newApiKey = () => `vk_${randomToken()}`;
/** Stored instead of the key (the same SHA-256 as every other secret token). */
export const hashApiKey = tokenHash;
/** What a list shows so a person can tell keys apart: the first 8 characters after `vk_`. */
export const prefixOf = (key: string) => key.slice(3, 11);

const knownScopes = (scopes: readonly string[]): ApiScope[] => scopes.filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));

export function createApiKeysService(database: Database, audit: AuditService, clock: () => Date = () => new Date()): ApiKeysService {
  const { db } = database;
  const lastWritten = new Map<string, number>();

  /** Records the key's use unless this instance did within the last minute. */
  async function noteUse(id: string): Promise<void> {
    const now = clock();
    const last = lastWritten.get(id);
    if (last !== undefined && now.getTime() - last < LAST_USED_EVERY_MS) return;
    if (lastWritten.size >= MAX_NOTES) lastWritten.clear();
    lastWritten.set(id, now.getTime());
    // The request does not fail for its bookkeeping: a failed write is tried again on the next use.
    await touchApiKey(db, id, now).catch(() => lastWritten.delete(id));
  }

  return {
    async create({ actor, context }, input) {
      const name = input.name.trim();
      if (name.length === 0) throw new AppError('invalid-request', '/body/name: must not be blank');
      const scopes = [...new Set(input.scopes)];
      const key = newApiKey();
      return db
        .transaction()
        .execute(async (trx) => {
          const row = await insertApiKey(trx, {
            id: randomUUID(),
            tenant_id: actor.tenantId,
            name,
            prefix: prefixOf(key),
            key_hash: hashApiKey(key),
            scopes: JSON.stringify(scopes),
            created_by: actor.userId,
          });
          await audit.record(
            {
              tenantId: actor.tenantId,
              actor,
              action: 'api-key.create',
              resource: { type: 'api-key', id: row.id },
              context,
              detail: { name, scopes, prefix: row.prefix },
            },
            trx,
          );
          return { row, key };
        })
        .catch(rethrowUnavailable);
    },

    list: (actor) => guard(listApiKeys(db, actor.tenantId)),

    async revoke({ actor, context }, keyId) {
      await db
        .transaction()
        .execute(async (trx) => {
          const row = await revokeApiKey(trx, actor.tenantId, keyId, clock());
          if (!row) {
            if (await findApiKey(trx, actor.tenantId, keyId)) return; // already revoked
            throw new AppError('not-found', `no API key ${keyId}`);
          }
          await audit.record(
            {
              tenantId: actor.tenantId,
              actor,
              action: 'api-key.revoke',
              resource: { type: 'api-key', id: keyId },
              context,
              detail: { name: row.name, prefix: row.prefix },
            },
            trx,
          );
        })
        .catch(rethrowUnavailable);
    },

    async actorOf(token) {
      const row = await guard(findLiveKeyByHash(db, hashApiKey(token)));
      if (!row) return INVALID;
      await noteUse(row.id);
      return { kind: 'api-key', keyId: row.id, tenantId: tenantId(row.tenant_id), scopes: knownScopes(row.scopes), scope: tenantScope(row.tenant_id) };
    },
  };
}
