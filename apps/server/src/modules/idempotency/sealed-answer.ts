import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The stored answer of a create (it may hold a write token or an API key) is encrypted with a key
 * derived from the caller's Idempotency-Key, which the server never stores: a copy of the database
 * alone cannot read it. AES-256-GCM, so a tampered row fails to open instead of replaying garbage.
 */
const INFO = 'veritas idempotency answer v1';

function keyOf(idempotencyKey: string, lookupHash: string): Buffer {
  return Buffer.from(hkdfSync('sha256', idempotencyKey, lookupHash, INFO, 32));
}

export function sealAnswer(idempotencyKey: string, lookupHash: string, answer: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(idempotencyKey, lookupHash), iv);
  const body = Buffer.concat([cipher.update(answer, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The answer, or undefined when the sealed text is not one this key opens. */
export function openAnswer(idempotencyKey: string, lookupHash: string, sealed: string): string | undefined {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(idempotencyKey, lookupHash), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
