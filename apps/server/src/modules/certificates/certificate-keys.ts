import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import {
  activeGeneratedCertificateKey,
  insertCertificateKey,
  listCertificateKeys,
  putGeneratedCertificateKey,
  reactivateCertificateKey,
  retireCertificateKeysExcept,
} from './certificate-keys.repository';
import { CERTIFICATE_ALG, CERTIFICATE_KID_PREFIX } from './certificate-check';

/** The signing key is re-read at least this often, so a rotation made elsewhere (`veritas certificates rotate-keys`) takes effect within a minute. */
const STALE_AFTER_MS = 60_000;

export class CertificateKeyFileError extends Error {}

export interface CertificateKeys {
  /** The key that signs certificates now: the key file's, else the newest generated one (made on first use). */
  signing(): Promise<{ kid: string; privateKey: CryptoKey }>;
  /** Makes a new key and retires the others (they stay published). Refused when a key file gives the key. Returns the new kid. */
  rotate(): Promise<string>;
  /** Every certificate key's public part, retired ones included: certificates do not expire. */
  jwks(): Promise<{ keys: JWK[] }>;
}

/** The kid of a key: the prefix and its RFC 7638 thumbprint, the same on every instance and every start. */
export async function certificateKid(jwk: JWK): Promise<string> {
  return `${CERTIFICATE_KID_PREFIX}${await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK)}`;
}

const publicPart = (jwk: JWK): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }) as JWK;

/** Reads a private Ed25519 JWK from a key file, or says clearly what is wrong with it. */
export function readCertificateKeyFile(path: string): JWK {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CertificateKeyFileError(`VERITAS_CERTIFICATE_KEY_FILE: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw new CertificateKeyFileError(`VERITAS_CERTIFICATE_KEY_FILE: ${path} is not JSON (it must hold one private Ed25519 JWK)`);
  }
  const k = jwk as Record<string, unknown>;
  if (typeof k !== 'object' || k === null || k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string' || typeof k.d !== 'string') {
    throw new CertificateKeyFileError(`VERITAS_CERTIFICATE_KEY_FILE: ${path} must hold one private Ed25519 JWK ({"kty":"OKP","crv":"Ed25519","x":…,"d":…})`);
  }
  return { kty: 'OKP', crv: 'Ed25519', x: k.x, d: k.d } as JWK;
}

/** A new private Ed25519 JWK (what a key file holds). */
export async function newCertificateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(CERTIFICATE_ALG, { extractable: true });
  return exportJWK(privateKey);
}

/**
 * Certificate keys (ADR 0016): generated into the database (the data folder on the embedded default)
 * or given by a key file, whose private part never enters the database. Kept apart from access-token
 * keys, and every public key ever used stays published.
 */
export function createCertificateKeys(database: Database, options: { keyFile?: string; clock?: () => Date } = {}): CertificateKeys {
  const clock = options.clock ?? (() => new Date());
  // Read at start, so a wrong key file stops the server at once rather than at the first certificate.
  const fileJwk = options.keyFile ? readCertificateKeyFile(options.keyFile) : undefined;
  let current: { kid: string; privateKey: CryptoKey; at: number } | undefined;

  /** A new key, made the active one; `first`: only if no generated key is active by then (see putGeneratedCertificateKey). */
  async function generate(first = false): Promise<string> {
    const privateJwk = await newCertificateJwk();
    const kid = await certificateKid(privateJwk);
    await putGeneratedCertificateKey(database.db, { kid, alg: CERTIFICATE_ALG, publicJwk: publicPart(privateJwk), privateJwk }, clock(), {
      unlessActive: first,
    }).catch(rethrowUnavailable);
    return kid;
  }

  async function load(): Promise<{ kid: string; privateKey: CryptoKey }> {
    if (fileJwk) {
      const kid = await certificateKid(fileJwk);
      await insertCertificateKey(database.db, { kid, alg: CERTIFICATE_ALG, publicJwk: publicPart(fileJwk), privateJwk: null, source: 'file' }).catch(
        rethrowUnavailable,
      );
      await reactivateCertificateKey(database.db, kid).catch(rethrowUnavailable);
      await retireCertificateKeysExcept(database.db, kid, clock()).catch(rethrowUnavailable);
      return { kid, privateKey: (await importJWK(fileJwk, CERTIFICATE_ALG)) as CryptoKey };
    }
    const usable = () => activeGeneratedCertificateKey(database.db).catch(rethrowUnavailable);
    const row = (await usable()) ?? ((await generate(true)) && (await usable()));
    if (!row) throw new Error('no certificate key after generating one');
    return { kid: row.kid, privateKey: (await importJWK(row.private_jwk as JWK, CERTIFICATE_ALG)) as CryptoKey };
  }

  return {
    async signing() {
      // A key file's key never changes while the process runs; a generated one may be rotated by another process.
      if (current && (fileJwk || clock().getTime() - current.at < STALE_AFTER_MS)) return current;
      current = { ...(await load()), at: clock().getTime() };
      return current;
    },

    async rotate() {
      if (options.keyFile) {
        throw new CertificateKeyFileError(
          `certificate keys come from VERITAS_CERTIFICATE_KEY_FILE (${options.keyFile}): to rotate, put a new key in that file and restart; the old public key stays published`,
        );
      }
      const kid = await generate();
      current = undefined;
      return kid;
    },

    async jwks() {
      const rows = await listCertificateKeys(database.db).catch(rethrowUnavailable);
      return { keys: rows.map((r) => ({ ...(r.public_jwk as JWK), kid: r.kid, alg: CERTIFICATE_ALG, use: 'sig' })) };
    },
  };
}
