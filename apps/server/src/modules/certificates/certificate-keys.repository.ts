import type { Kysely, Selectable } from 'kysely';
import { takeTransactionLock } from '../../platform/db/transaction-lock';
import type { CertificateKeysTable, DB } from '../../platform/db/tables';

export type CertificateKeyRow = Selectable<CertificateKeysTable>;

/** Every certificate key ever used, newest first: retired ones still verify the certificates they signed. */
export async function listCertificateKeys(db: Kysely<DB>): Promise<CertificateKeyRow[]> {
  return db.selectFrom('certificate_keys').selectAll().orderBy('created_at', 'desc').orderBy('kid').execute();
}

/** Records a key (once: the kid is its thumbprint, so recording it again changes nothing). */
export async function insertCertificateKey(
  db: Kysely<DB>,
  key: { kid: string; alg: string; publicJwk: object; privateJwk: object | null; source: 'generated' | 'file' },
): Promise<void> {
  await db
    .insertInto('certificate_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk: key.privateJwk ? JSON.stringify(key.privateJwk) : null,
      source: key.source,
    })
    .onConflict((oc) => oc.column('kid').doNothing())
    .execute();
}

/** Retires every active key but `keep`: they sign nothing new and stay published. */
export async function retireCertificateKeysExcept(db: Kysely<DB>, keep: string, at: Date): Promise<void> {
  await db.updateTable('certificate_keys').set({ retired_at: at }).where('retired_at', 'is', null).where('kid', '!=', keep).execute();
}

/** Puts a retired key back in service (a key file named again after a rotation). */
export async function reactivateCertificateKey(db: Kysely<DB>, kid: string): Promise<void> {
  await db.updateTable('certificate_keys').set({ retired_at: null }).where('kid', '=', kid).execute();
}

/** The generated key that signs: not retired, its private part stored (one at most, by putGeneratedCertificateKey). */
export async function activeGeneratedCertificateKey(db: Kysely<DB>): Promise<CertificateKeyRow | undefined> {
  return db
    .selectFrom('certificate_keys')
    .selectAll()
    .where('retired_at', 'is', null)
    .where('source', '=', 'generated')
    .where('private_jwk', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .executeTakeFirst();
}

/**
 * Stores a generated key and retires every other active one, in one transaction under an advisory
 * lock, so instances doing it at the same moment take turns. With `unlessActive` (the first key, which
 * several instances may need at once) it does nothing when a generated key with its private part is
 * already active: the later instances then sign with the first one's key, instead of each retiring
 * the others' (which left none active, or an instance signing with a retired key).
 */
export async function putGeneratedCertificateKey(
  db: Kysely<DB>,
  key: { kid: string; alg: string; publicJwk: object; privateJwk: object },
  at: Date,
  options: { unlessActive: boolean },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await takeTransactionLock(trx, 'veritas.certificate_keys');
    if (options.unlessActive && (await activeGeneratedCertificateKey(trx))) return;
    await insertCertificateKey(trx, { ...key, source: 'generated' });
    await retireCertificateKeysExcept(trx, key.kid, at);
  });
}
