import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** An opaque credential: 32 random bytes, base64url (43 characters). */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** Stored instead of the token: whoever reads the table cannot use what they read. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The shape of what `randomToken` makes; anything else is refused before any lookup. */
export const TOKEN_PATTERN = '^[A-Za-z0-9_-]{43}$';

/** Compares two secrets in time independent of where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
