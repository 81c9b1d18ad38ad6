import type { FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { AppError } from '../../kernel/errors';
import type { RateCounter } from '../../platform/rate-limit/rate-counter';

/** One limit checked by name, whatever the transport: what the ingest socket calls per batch. */
export interface RateLimiter {
  hit(bucket: string, key: string, max: number, windowMs: number): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
  /** Whether the key is still under `max` without counting a hit (sign-in counts failures only, then checks before the next try). */
  peek(bucket: string, key: string, max: number): Promise<{ allowed: boolean; retryAfterSeconds: number }>;
}

export function createRateLimiter(counter: RateCounter): RateLimiter {
  return {
    async hit(bucket, key, max, windowMs) {
      const { count, ttlMs } = await counter.hit(`${bucket}:${key}`, windowMs);
      return { allowed: count <= max, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
    },
    async peek(bucket, key, max) {
      const { count, ttlMs } = await counter.peek(`${bucket}:${key}`);
      return { allowed: count < max, retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)) };
    },
  };
}

type IncrCallback = (err: Error | null, result?: { current: number; ttl: number }) => void;
interface RouteLimitOptions {
  bucket?: string;
  routeInfo: { method?: string | string[]; url?: string };
}

/**
 * @fastify/rate-limit's store interface over our counter: a route's keys live in its `bucket`
 * (default: method and URL), so a route and a socket naming the same bucket share one count.
 */
function storeFor(counter: RateCounter) {
  return class CounterStore {
    constructor(private readonly bucket = '') {}
    incr(key: string, cb: IncrCallback, timeWindow: number): void {
      counter.hit(`${this.bucket}:${key}`, timeWindow).then(
        (r) => cb(null, { current: r.count, ttl: r.ttlMs }),
        (err: Error) => cb(err),
      );
    }
    child(options: RouteLimitOptions) {
      return new CounterStore(options.bucket ?? `${String(options.routeInfo.method)}${options.routeInfo.url ?? ''}`);
    }
  };
}

/** Registers the HTTP rate limit on the routes that declare `config.rateLimit`, counted by `counter`. */
export async function installRateLimit(app: FastifyInstance, counter: RateCounter): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: false,
    store: storeFor(counter) as never,
    // The counters always answer (in memory when Redis is away), so an error here is a bug: surface it.
    skipOnError: false,
    errorResponseBuilder: (_req, ctx) => {
      const err = new AppError('rate-limited', `limit of ${ctx.max} requests per ${ctx.after} reached; retry after ${Math.ceil(ctx.ttl / 1000)} s`);
      return Object.assign(err, { statusCode: 429 });
    },
  });
}
