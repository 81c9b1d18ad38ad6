/** The header the server reads on creating routes (sessions, attempts). */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/**
 * A fresh key for one create: send the same key again when retrying that create (a timeout, a
 * dropped connection) and the server answers the first result instead of creating twice, for 24 hours.
 */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The header parameter for one create, to spread into `params`:
 * `const key = newIdempotencyKey(); await veritas.POST('/v1/sessions', { body, params: idempotent(key) })`
 * (keep `key` to retry with it). Without a key, a fresh one is made.
 */
export function idempotent(key: string = newIdempotencyKey()): { header: { 'idempotency-key': string } } {
  return { header: { 'idempotency-key': key } };
}
