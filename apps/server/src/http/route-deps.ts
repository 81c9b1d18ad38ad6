import type { Config } from '../config/config';
import type { Services } from '../modules/services';
import type { Actor } from '../kernel/actor';
import type { Access } from '../kernel/policy';
import type { RateLimiter } from './plugins/rate-limit';

/** What every route plugin receives: the services, the configuration, and the access check for a socket's hello. */
export interface RouteDeps {
  services: Services;
  config: Config;
  /**
   * Resolves and checks a credential that arrives after the request (a WebSocket's hello): the same
   * resolution as the auth plugin and the same check as the access hook. Throws the refusal.
   */
  authorize(access: Access, sessionId: string, token: string | undefined): Promise<Actor>;
  /** The rate limits by name, for what does not arrive as a request (a socket's batches). */
  rateLimiter: RateLimiter;
  /** The Redis connection's state when one is configured (readiness reports it). */
  redis?: { readonly status: string };
}
