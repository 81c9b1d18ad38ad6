import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { freePort, OwnRedis } from '../../testing/own-redis';
import { TEST_REDIS_URL } from '../../testing/test-database';
import { createHub } from './create-hub';
import { channelName, hubContract, recorder, waitFor } from './hub.contract';
import type { HubErrorReporter, LiveHub } from './live-hub';
import { MemoryHub } from './memory-hub';
import { RedisHub } from './redis-hub';

const SHARED_REDIS_URL = TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function reachable(url: string): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * The Redis the driver tests share: the suite's (VERITAS_TEST_HUB=redis), else the machine's
 * 127.0.0.1:6379 if it answers, else one of our own. Each hub gets a fresh channel prefix.
 */
async function sharedRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (await reachable(SHARED_REDIS_URL)) return { url: SHARED_REDIS_URL, stop: async () => {} };
  const own = new OwnRedis(await freePort());
  await own.start();
  return { url: own.url, stop: () => own.stop() };
}

function redisConfig(url: string) {
  return loadConfig({}, { dataDir: undefined, logLevel: 'silent', redisUrl: url });
}

hubContract('in process (MemoryHub)', async () => {
  return {
    open: async (onError) => new MemoryHub(onError),
    close: async () => {},
  };
});

hubContract('Redis pub/sub (RedisHub)', async () => {
  const redis = await sharedRedis();
  const prefix = `veritas-hub-test-${randomBytes(4).toString('hex')}:`;
  return {
    // A fresh hub's publishing connection may still be connecting (publish then says false, by
    // design): each contract test starts once a warm-up publish has gone through. Errors of the
    // warm-up are not the test's.
    open: async (onError) => {
      let warm = false;
      const hub = createHub(redisConfig(redis.url), undefined, { prefix, onError: (err, ctx) => (warm ? onError?.(err, ctx) : undefined) });
      for (const deadline = Date.now() + 60_000; !(await hub.publish('contract-warm-up', 0));) {
        if (Date.now() > deadline) throw new Error('the hub did not connect to Redis within 60 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      warm = true;
      return hub;
    },
    close: () => redis.stop(),
  };
});

describe('the Redis hub across instances and outages', () => {
  const hubs: LiveHub[] = [];
  const own: OwnRedis[] = [];
  let shared: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    shared = await sharedRedis();
  });
  afterAll(async () => {
    for (const hub of hubs) await hub.close();
    for (const r of own) await r.stop();
    await shared?.stop();
  });
  const openHub = (url: string, prefix: string, onError?: HubErrorReporter) => {
    const hub = createHub(redisConfig(url), undefined, { prefix, ...(onError ? { onError } : {}) });
    hubs.push(hub);
    return hub;
  };

  it('fans out between two instances sharing one Redis: each sees what the other publishes', async () => {
    const prefix = `veritas-hub-test-${randomBytes(4).toString('hex')}:`;
    const a = openHub(shared.url, prefix);
    const b = openHub(shared.url, prefix);
    expect(a.driver).toBe('redis');
    const ch = channelName('session');
    const onA = recorder();
    const onB = recorder();
    await a.subscribe(ch, onA.handler);
    await b.subscribe(ch, onB.handler);
    expect(await a.publish(ch, { from: 'a' })).toBe(true);
    expect(await b.publish(ch, { from: 'b' })).toBe(true);
    await waitFor('both instances to get both messages', () => onA.got.length === 2 && onB.got.length === 2);
    for (const got of [onA.got, onB.got]) expect(got).toEqual(expect.arrayContaining([{ from: 'a' }, { from: 'b' }]));

    // Another prefix is another deployment: it hears nothing of these channels.
    const stranger = openHub(shared.url, `veritas-hub-test-${randomBytes(4).toString('hex')}:`);
    const onStranger = recorder();
    await stranger.subscribe(ch, onStranger.handler);
    await a.publish(ch, 'last');
    await waitFor('b to get the last message', () => onB.got.includes('last'));
    expect(onStranger.got).toEqual([]);
  });

  it('survives Redis being killed and restarted: publish reports failure without throwing, subscribers hear again afterwards', async () => {
    const redis = new OwnRedis(await freePort());
    own.push(redis);
    await redis.start();
    const prefix = 'veritas-hub-outage:';
    const errors: string[] = [];
    const a = openHub(redis.url, prefix, (_err, ctx) => errors.push(ctx.during));
    const b = openHub(redis.url, prefix);
    const ch = channelName('session');
    const onB = recorder();
    await b.subscribe(ch, onB.handler);
    // A fresh hub's publishing connection may still be connecting (publish says false until it is up).
    await waitFor('the message before the outage', async () => (await a.publish(ch, 'before')) && onB.got.includes('before'));
    errors.length = 0;
    let resyncs = 0;
    b.onResync(() => resyncs++);

    await redis.stop();
    // The client notices the dead connection on its own schedule; from then on publish says false.
    await waitFor('publish to report Redis is down', async () => (await a.publish(ch, 'during')) === false);
    expect(errors).toContain('publish');
    // A viewer that arrives during the outage subscribes without an error, and is served once Redis is back.
    const late = recorder();
    const lateChannel = channelName('late');
    await b.subscribe(lateChannel, late.handler);

    expect(resyncs).toBe(0);
    await redis.start();
    // Messages were lost: once subscribed again, b says so, for its listeners to re-read the record.
    await waitFor('b to announce a resync', () => resyncs >= 1);
    // Restarted empty: subscriptions exist again only because the hub subscribes again on reconnect.
    await waitFor('a subscriber to hear a message published after the restart', async () => {
      await a.publish(ch, 'after');
      return onB.got.includes('after');
    });
    await waitFor('the channel subscribed during the outage to be served', async () => {
      await a.publish(lateChannel, 'hello');
      return late.got.includes('hello');
    });
  });
});

describe('createHub', () => {
  it('chooses the in-process hub without REDIS_URL', async () => {
    const hub = createHub(loadConfig({}, { dataDir: undefined, logLevel: 'silent' }));
    expect(hub).toBeInstanceOf(MemoryHub);
    await hub.close();
  });

  it('chooses Redis with REDIS_URL, publishing on the connection it is given and leaving it open on close', async () => {
    const shared = await sharedRedis();
    const redis = new Redis(shared.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    try {
      await waitFor('the connection', () => redis.status === 'ready');
      const hub = createHub(redisConfig(shared.url), redis, { prefix: `veritas-hub-test-${randomBytes(4).toString('hex')}:` });
      expect(hub).toBeInstanceOf(RedisHub);
      const ch = channelName('session');
      const sub = recorder();
      await hub.subscribe(ch, sub.handler);
      expect(await hub.publish(ch, 'through the given connection')).toBe(true);
      await waitFor('the message', () => sub.got.length === 1);
      await hub.close();
      expect(redis.status).toBe('ready');
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
      await shared.stop();
    }
  });
});
