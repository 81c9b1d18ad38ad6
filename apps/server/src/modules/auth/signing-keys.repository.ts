import type { Kysely, Selectable } from 'kysely';
import type { DB, SigningKeysTable } from '../../platform/db/tables';

export type SigningKeyRow = Selectable<SigningKeysTable>;

/** Keys still worth knowing: the active ones and those retired after `since` (their tokens may still be alive). */
export async function liveSigningKeys(db: Kysely<DB>, since: Date): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', since)]))
    .orderBy('created_at', 'desc')
    .execute();
}

export async function insertSigningKey(db: Kysely<DB>, key: { kid: string; alg: string; privateJwk: object; publicJwk: object }): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({ kid: key.kid, alg: key.alg, private_jwk: JSON.stringify(key.privateJwk), public_jwk: JSON.stringify(key.publicJwk) })
    .execute();
}

/** Retires every active key but `keep`: they sign nothing new and verify until their last token has expired. */
export async function retireSigningKeysExcept(db: Kysely<DB>, keep: string, at: Date): Promise<void> {
  await db.updateTable('signing_keys').set({ retired_at: at }).where('retired_at', 'is', null).where('kid', '!=', keep).execute();
}
