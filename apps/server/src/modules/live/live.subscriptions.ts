import type { VeritasEvent } from '@veritas/schema';
import type { EventBus } from '../../kernel/events';
import type { HubErrorReporter, HubMessage, LiveHub } from '../../platform/hub/live-hub';

/** The hub channel a session's live viewers listen on. */
export const sessionChannel = (sessionId: string): string => `session:${sessionId}`;

/**
 * A commit's events ride on its nudge up to this much JSON; a larger batch is told by its seq alone
 * and read from the database. A recorder's batch (a second or two of typing) is a few KB; the bound
 * keeps a bulk upload's megabytes off Redis, which would carry to every instance what the database
 * already holds.
 */
export const NUDGE_EVENTS_MAX_CHARS = 16 * 1024;

/** What a session's channel carries: a commit (its highest seq, and its events when they are small), or the end. */
export type SessionNudge = { seq: number; events?: VeritasEvent[] } | { ended: true };

/** An event as the database holds it (the four stored columns), whatever else the batch's object carried. */
const stored = (e: VeritasEvent): VeritasEvent => ({ seq: e.seq, t: e.t, type: e.type, data: e.data }) as VeritasEvent;

/** The nudge of one commit: its events carried when they fit (see NUDGE_EVENTS_MAX_CHARS). */
export function commitNudge(committed: readonly VeritasEvent[]): SessionNudge | undefined {
  const last = committed[committed.length - 1];
  if (!last) return undefined;
  const events = committed.map(stored);
  return JSON.stringify(events).length <= NUDGE_EVENTS_MAX_CHARS ? { seq: last.seq, events } : { seq: last.seq };
}

/**
 * Fan-out: each commit and each end of a session is told on its channel: the highest committed seq
 * with the commit's events when they are small, or the end. The events are told only after the
 * commit, so a viewer never sees one that is not stored; viewers that miss a message read from the
 * database (ADR 0017). Never awaited by the publisher of the domain event, and a hub that fails is
 * reported, never thrown: ingest's acknowledgement does not wait for, or depend on, anyone watching.
 */
export function subscribeLive(events: EventBus, hub: LiveHub, report: HubErrorReporter): void {
  const tell = (sessionId: string, message: SessionNudge) => {
    const channel = sessionChannel(sessionId);
    try {
      hub.publish(channel, message as unknown as HubMessage).catch((err: unknown) => report(err, { channel, during: 'publish' }));
    } catch (err) {
      report(err, { channel, during: 'publish' });
    }
  };
  events.on('batch.committed', ({ sessionId, events: committed }) => {
    const nudge = commitNudge(committed);
    if (nudge) tell(sessionId, nudge);
  });
  events.on('session.ended', ({ sessionId }) => tell(sessionId, { ended: true }));
}
