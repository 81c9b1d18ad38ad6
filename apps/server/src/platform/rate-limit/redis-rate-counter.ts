import type { Redis } from 'ioredis';
import { MemoryRateCounter, type RateCount, type RateCounter } from './rate-counter';

/**
 * One atomic step in Redis: count the hit, and never let the shared count fall below this instance's
 * own count for the window (ARGV[2]). Redis restarted empty (or was flushed) mid-window: the shared
 * count is re-seeded from the instances' counts as they hit, instead of starting again from zero.
 * A new key gets the window's remaining time (ARGV[3] when re-seeded, else the whole window).
 */
const HIT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[2])
if current < floor then
  redis.call('INCRBY', KEYS[1], floor - current)
  current = floor
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  if current > 1 then ttl = tonumber(ARGV[3]) else ttl = tonumber(ARGV[1]) end
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {current, ttl}
`;

type HitCommand = (key: string, windowMs: number, floor: number, floorTtlMs: number) => Promise<[number, number]>;

/**
 * Counters shared through Redis. Every hit is also counted in this instance's memory, which is what
 * holds while Redis is away: during an outage each instance enforces the limit on its own traffic
 * (a client spread over N instances gets at most N × the limit), never no limit at all. After Redis
 * comes back, the shared count is at least the largest instance count for the window.
 */
export class RedisRateCounter implements RateCounter {
  private readonly local: MemoryRateCounter;
  private readonly command: HitCommand;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    local = new MemoryRateCounter(),
  ) {
    this.local = local;
    const name = 'veritasRateHit';
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.command = (redis as unknown as Record<string, HitCommand>)[name]!.bind(redis);
  }

  async hit(key: string, windowMs: number): Promise<RateCount> {
    const mine = this.local.hitSync(key, windowMs);
    // Not connected: do not wait for a command that cannot run (the client queues nothing offline).
    if (this.redis.status !== 'ready') return mine;
    try {
      const [count, ttlMs] = await this.command(this.prefix + key, windowMs, mine.count, mine.ttlMs);
      return { count: Math.max(Number(count), mine.count), ttlMs: Number(ttlMs) };
    } catch {
      return mine;
    }
  }

  async peek(key: string): Promise<RateCount> {
    const mine = this.local.peekSync(key);
    if (this.redis.status !== 'ready') return mine;
    try {
      const [[, count], [, ttlMs]] = (await this.redis
        .multi()
        .get(this.prefix + key)
        .pttl(this.prefix + key)
        .exec()) as [[unknown, string | null], [unknown, number]];
      const shared = Number(count ?? 0);
      return shared > mine.count && ttlMs > 0 ? { count: shared, ttlMs } : mine;
    } catch {
      return mine;
    }
  }
}
