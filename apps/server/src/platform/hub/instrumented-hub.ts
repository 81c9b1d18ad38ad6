import type { HubMetrics } from '../metrics/metrics';
import type { HubHandler, HubMessage, LiveHub, Unsubscribe } from './live-hub';

/**
 * The hub with its metrics (veritas_hub_*): the same port around either driver, so both count alike.
 * Published: a publish the hub took; dropped: one it could not (`publish_failed`), or a handler that
 * threw (`handler_failed`, rethrown so the driver reports it as before); delivered: each handler call;
 * subscribers: subscriptions held until their unsubscribe or the hub's close.
 */
export function instrumentHub(hub: LiveHub, metrics: HubMetrics): LiveHub {
  const driver = hub.driver;
  const live = new Set<object>();
  return {
    driver,
    async publish(channel: string, message: HubMessage): Promise<boolean> {
      const took = await hub.publish(channel, message);
      if (took) metrics.hubPublished(driver);
      else metrics.hubDropped(driver, 'publish_failed');
      return took;
    },
    async subscribe(channel: string, handler: HubHandler): Promise<Unsubscribe> {
      const counted: HubHandler = (message) => {
        metrics.hubDelivered(driver);
        try {
          handler(message);
        } catch (err) {
          metrics.hubDropped(driver, 'handler_failed');
          throw err;
        }
      };
      const unsubscribe = await hub.subscribe(channel, counted);
      const token = {};
      live.add(token);
      metrics.hubSubscribed(driver, 1);
      return () => {
        unsubscribe();
        if (live.delete(token)) metrics.hubSubscribed(driver, -1);
      };
    },
    onResync: (listener) => hub.onResync(listener),
    async close() {
      for (const token of live) {
        live.delete(token);
        metrics.hubSubscribed(driver, -1);
      }
      await hub.close();
    },
  };
}
