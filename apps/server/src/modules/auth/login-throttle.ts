import { createHash } from 'node:crypto';
import { AppError } from '../../kernel/errors';
import type { RouteDeps } from '../../http/route-deps';
import { normalEmail } from '../people';

/**
 * Failed sign-ins allowed per window, per account and per client address. Only failures count, so a
 * school behind one address can still sign a whole class in; the address limit stops one client
 * from guessing across many accounts, the account limit many clients guessing one password.
 */
export const LOGIN_LIMITS = {
  perAccount: { max: 10, windowMs: 15 * 60_000 },
  perAddress: { max: 30, windowMs: 15 * 60_000 },
};
export type LoginLimits = typeof LOGIN_LIMITS;

/** Checked before a password is verified, told after each failure. */
export interface LoginThrottle {
  /** Throws `rate-limited` (with `retryAfter` seconds) when the account or the address has failed too often. */
  check(email: string, ip: string | null): Promise<void>;
  failed(email: string, ip: string | null): Promise<void>;
}

const ACCOUNT = 'login-account';
const ADDRESS = 'login-address';
/** Keys name a digest of the address, so the shared counters (Redis) hold no email addresses. */
const accountKey = (email: string) => createHash('sha256').update(normalEmail(email)).digest('base64url').slice(0, 22);

/** Over the app's rate limiter (shared through Redis when configured, else this instance's memory). */
export function createLoginThrottle(limiter: RouteDeps['rateLimiter'], limits: LoginLimits = LOGIN_LIMITS): LoginThrottle {
  return {
    async check(email, ip) {
      const [account, address] = await Promise.all([
        limiter.peek(ACCOUNT, accountKey(email), limits.perAccount.max),
        limiter.peek(ADDRESS, ip ?? 'unknown', limits.perAddress.max),
      ]);
      const refused = [account, address].filter((l) => !l.allowed);
      if (refused.length === 0) return;
      const retryAfter = Math.max(...refused.map((l) => l.retryAfterSeconds));
      throw new AppError('rate-limited', `too many failed sign-ins; retry after ${retryAfter} s`, { retryAfter });
    },
    async failed(email, ip) {
      await Promise.all([
        limiter.hit(ACCOUNT, accountKey(email), limits.perAccount.max, limits.perAccount.windowMs),
        limiter.hit(ADDRESS, ip ?? 'unknown', limits.perAddress.max, limits.perAddress.windowMs),
      ]);
    },
  };
}
