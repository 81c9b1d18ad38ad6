import { Redis } from 'ioredis';
import type { Config } from '../../config/config';
import type { HubErrorReporter, LiveHub } from './live-hub';
import { MemoryHub } from './memory-hub';
import { RedisHub } from './redis-hub';

/**
 * The configured live hub: Redis pub/sub when REDIS_URL is set (instances see each other's
 * messages), in process otherwise. `redis` is the server's command connection, reused for
 * publishing when given (the hub then leaves it open on close); the hub always opens its own
 * subscriber connection.
 */
export function createHub(config: Config, redis?: Redis, options: { prefix?: string; onError?: HubErrorReporter } = {}): LiveHub {
  if (!config.redisUrl) return new MemoryHub(options.onError);
  const publisher =
    redis ??
    // Like the server's own connection: commands fail fast while Redis is down instead of queueing.
    new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1000 });
  if (!redis) publisher.on('error', () => {});
  return new RedisHub(publisher, { ...options, ownsPublisher: !redis });
}
