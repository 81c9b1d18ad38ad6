import type { Redis } from 'ioredis';
import { encodeHubMessage, type HubErrorReporter, type HubHandler, type HubMessage, type LiveHub, type Unsubscribe } from './live-hub';

/** How long a subscribe waits for the subscriber connection before leaving it to the next 'ready'. */
const LISTEN_WAIT_MS = 2000;

export interface RedisHubOptions {
  /** Prefixed to every channel name in Redis, so several deployments (or tests) can share one Redis. */
  prefix?: string;
  onError?: HubErrorReporter;
  /** Disconnect `publisher` on close (true when the hub made it). */
  ownsPublisher?: boolean;
}

/**
 * The hub shared by server instances through Redis pub/sub. Publishing goes through `publisher`
 * (an ordinary command connection, possibly shared with the rate limits); receiving through a
 * dedicated connection of our own (`publisher.duplicate()`), since a subscribed connection can run
 * no other command. A message published here reaches this instance's subscribers through Redis too,
 * so every subscriber sees one order.
 *
 * Redis away: `publish` resolves false at once (or after the command timeout) and the message is
 * lost: live views catch up from the database. The subscriber connection reconnects by itself and,
 * on every `ready`, subscribes again to every channel that has a handler, including channels
 * subscribed while Redis was down; once those SUBSCRIBEs are done it calls the `onResync` listeners
 * (whatever was published meanwhile went nowhere, and a read from the database now misses nothing
 * that a later message would not announce).
 */
export class RedisHub implements LiveHub {
  readonly driver = 'redis' as const;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, Set<HubHandler>>();
  private readonly prefix: string;
  private readonly onError: HubErrorReporter;
  private readonly resyncListeners = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly publisher: Redis,
    private readonly options: RedisHubOptions = {},
  ) {
    this.prefix = options.prefix ?? 'veritas-hub:';
    this.onError = options.onError ?? (() => {});
    // Resubscription is ours (on 'ready'), so it also covers channels whose SUBSCRIBE failed offline.
    this.subscriber = publisher.duplicate({ autoResubscribe: false, enableOfflineQueue: false, lazyConnect: false });
    // Connection errors are expected during an outage; the client reconnects by itself.
    this.subscriber.on('error', () => {});
    this.subscriber.on('ready', () => void this.resubscribe());
    this.subscriber.on('message', (wireChannel: string, text: string) => this.deliver(wireChannel, text));
  }

  async publish(channel: string, message: HubMessage): Promise<boolean> {
    const text = encodeHubMessage(message);
    if (this.closed) return false;
    // Not connected: do not wait for a command that cannot run.
    if (this.publisher.status !== 'ready') {
      this.onError(new Error(`Redis is not connected (${this.publisher.status})`), { channel, during: 'publish' });
      return false;
    }
    try {
      await this.publisher.publish(this.prefix + channel, text);
      return true;
    } catch (err) {
      this.onError(err, { channel, during: 'publish' });
      return false;
    }
  }

  async subscribe(channel: string, handler: HubHandler): Promise<Unsubscribe> {
    if (this.closed) throw new Error('the hub is closed');
    const subscription: HubHandler = (m) => handler(m);
    let handlers = this.channels.get(channel);
    const first = !handlers;
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(subscription);
    if (first) await this.listen(channel);
    return () => {
      const set = this.channels.get(channel);
      if (!set?.delete(subscription)) return;
      if (set.size > 0) return;
      this.channels.delete(channel);
      if (this.subscriber.status === 'ready') this.subscriber.unsubscribe(this.prefix + channel).catch(() => {});
    };
  }

  onResync(listener: () => void): Unsubscribe {
    // A wrapper, so one function registered twice is two registrations.
    const registration = () => listener();
    this.resyncListeners.add(registration);
    return () => void this.resyncListeners.delete(registration);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    this.resyncListeners.clear();
    this.subscriber.disconnect();
    if (this.options.ownsPublisher) this.publisher.disconnect();
  }

  /**
   * On every `ready` (the first connection included: channels subscribed before it waited for it):
   * SUBSCRIBE every channel again, then tell the resync listeners.
   */
  private async resubscribe(): Promise<void> {
    await Promise.all([...this.channels.keys()].map((channel) => this.listen(channel)));
    if (this.closed) return;
    for (const listener of [...this.resyncListeners]) {
      try {
        listener();
      } catch (err) {
        this.onError(err, { channel: '*', during: 'deliver' });
      }
    }
  }

  /** SUBSCRIBE when connected (waiting a little for a connection in progress); otherwise the next 'ready' does it. Never rejects. */
  private async listen(channel: string): Promise<void> {
    if (!(await this.subscriberReady(LISTEN_WAIT_MS))) return;
    try {
      await this.subscriber.subscribe(this.prefix + channel);
    } catch (err) {
      // Dropped mid-way: the next 'ready' subscribes again.
      this.onError(err, { channel, during: 'subscribe' });
    }
  }

  private subscriberReady(ms: number): Promise<boolean> {
    const sub = this.subscriber;
    if (sub.status === 'ready') return Promise.resolve(true);
    if (sub.status === 'end' || this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        sub.off('ready', onReady);
        resolve(false);
      }, ms);
      sub.once('ready', onReady);
    });
  }

  private deliver(wireChannel: string, text: string): void {
    if (!wireChannel.startsWith(this.prefix)) return;
    const channel = wireChannel.slice(this.prefix.length);
    const handlers = this.channels.get(channel);
    if (!handlers) return;
    for (const handler of [...handlers]) {
      try {
        handler(JSON.parse(text) as HubMessage);
      } catch (err) {
        this.onError(err, { channel, during: 'deliver' });
      }
    }
  }
}
