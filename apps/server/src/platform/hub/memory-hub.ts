import { encodeHubMessage, type HubErrorReporter, type HubHandler, type HubMessage, type LiveHub, type Unsubscribe } from './live-hub';

/**
 * The hub of one server instance: subscribers in this process only. Delivery is asynchronous (a
 * microtask per handler, in publish order) so a publisher never runs its subscribers' code inside
 * its own call, as with Redis.
 */
export class MemoryHub implements LiveHub {
  readonly driver = 'memory' as const;
  private readonly channels = new Map<string, Set<HubHandler>>();
  private closed = false;

  constructor(private readonly onError: HubErrorReporter = () => {}) {}

  async publish(channel: string, message: HubMessage): Promise<boolean> {
    const text = encodeHubMessage(message);
    if (this.closed) return false;
    const handlers = this.channels.get(channel);
    if (!handlers) return true;
    for (const handler of handlers) {
      queueMicrotask(() => {
        // Unsubscribed since the publish: drop it, as Redis would after UNSUBSCRIBE.
        if (!this.channels.get(channel)?.has(handler)) return;
        try {
          handler(JSON.parse(text) as HubMessage);
        } catch (err) {
          this.onError(err, { channel, during: 'deliver' });
        }
      });
    }
    return true;
  }

  async subscribe(channel: string, handler: HubHandler): Promise<Unsubscribe> {
    if (this.closed) throw new Error('the hub is closed');
    // A wrapper per subscription, so one handler subscribed twice is two subscriptions.
    const subscription: HubHandler = (m) => handler(m);
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(subscription);
    return () => {
      const set = this.channels.get(channel);
      if (!set?.delete(subscription)) return;
      if (set.size === 0) this.channels.delete(channel);
    };
  }

  /** Nothing is ever lost in process: the listener is kept but never called. */
  onResync(_listener: () => void): Unsubscribe {
    return () => {};
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
  }
}
