/**
 * The live hub port: fire-and-forget fan-out of small JSON messages on named channels, to every
 * subscriber of the channel in every server instance. Drivers: in process (`MemoryHub`, one
 * instance) and Redis pub/sub (`RedisHub`, shared by instances). Both pass `hub.contract.ts`.
 *
 * Semantics both drivers keep:
 * - at most once: a message reaches the subscribers present when it arrives, nobody later; there is
 *   no history. Live views that missed messages (a Redis outage, a reconnect) catch up from the
 *   database, which is the record; the hub only says "something happened";
 * - messages of one publisher on one channel arrive in the order they were published;
 * - each handler gets its own copy of the message (a JSON round trip), never the publisher's object;
 * - `publish` never rejects because the transport is down: it resolves false (and reports the
 *   reason to `onError`), so ingest goes on without the hub;
 * - a handler that throws is reported to `onError` and does not stop delivery to the others;
 * - when messages may have been lost (Redis: the subscriber connection came back after dropping),
 *   `onResync` listeners are called once every channel is subscribed again, so live views re-read
 *   from the database at once instead of waiting for the next message or heartbeat.
 */
export type HubMessage = null | boolean | number | string | HubMessage[] | { [key: string]: HubMessage };

export type HubHandler = (message: HubMessage) => void;

/** Stops delivery to the handler at once (messages already on their way are dropped too). */
export type Unsubscribe = () => void;

export interface LiveHub {
  readonly driver: 'memory' | 'redis';
  /**
   * Sends a message to the channel's subscribers. Resolves true when the hub took it, false when it
   * could not (transport down, hub closed); never rejects for that. A message JSON cannot carry
   * (a cycle, a BigInt) is the caller's bug and rejects with a TypeError in every driver.
   */
  publish(channel: string, message: HubMessage): Promise<boolean>;
  /**
   * Calls `handler` with each message published on the channel from now on. Resolves once the
   * subscription is active; while the transport is down it resolves after a short wait (Redis: 2 s)
   * and the subscription starts when the transport is back.
   */
  subscribe(channel: string, handler: HubHandler): Promise<Unsubscribe>;
  /**
   * Calls `listener` each time messages may have been lost and the hub is delivering again (never,
   * in process). Returns a function that stops it.
   */
  onResync(listener: () => void): Unsubscribe;
  /** Drops every subscription and releases the driver's connections. */
  close(): Promise<void>;
}

/** Where a hub reports what it cannot throw at its caller: a failed publish, a handler that threw. */
export type HubErrorReporter = (err: unknown, context: { channel: string; during: 'publish' | 'subscribe' | 'deliver' }) => void;

/** The hub's wire form of a message: JSON, rejecting what JSON cannot carry instead of dropping it silently. */
export function encodeHubMessage(message: HubMessage): string {
  const text = JSON.stringify(message) as string | undefined;
  if (text === undefined) throw new TypeError('a hub message must be JSON-serialisable');
  return text;
}
