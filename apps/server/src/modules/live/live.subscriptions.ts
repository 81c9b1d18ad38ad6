import type { EventBus } from '../../kernel/events';
import type { HubErrorReporter, LiveHub } from '../../platform/hub/live-hub';

/** The hub channel a session's live viewers listen on. */
export const sessionChannel = (sessionId: string): string => `session:${sessionId}`;

/**
 * Fan-out: each commit and each end of a session is told on its channel, as a nudge (the highest
 * committed seq, or the end); viewers read the events themselves from the database. Never awaited
 * by the publisher of the domain event, and a hub that fails is reported, never thrown: ingest's
 * acknowledgement does not wait for, or depend on, anyone watching.
 */
export function subscribeLive(events: EventBus, hub: LiveHub, report: HubErrorReporter): void {
  const tell = (sessionId: string, message: { seq: number } | { ended: true }) => {
    const channel = sessionChannel(sessionId);
    try {
      hub.publish(channel, message).catch((err: unknown) => report(err, { channel, during: 'publish' }));
    } catch (err) {
      report(err, { channel, during: 'publish' });
    }
  };
  events.on('batch.committed', ({ sessionId, events: committed }) => {
    const last = committed[committed.length - 1];
    if (last) tell(sessionId, { seq: last.seq });
  });
  events.on('session.ended', ({ sessionId }) => tell(sessionId, { ended: true }));
}
