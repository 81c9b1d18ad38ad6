import type { Actor } from '../../kernel/actor';
import type { Scope } from '../../kernel/scope';
import type { Database } from '../../platform/db/database';
import type { LiveHub } from '../../platform/hub/live-hub';
import type { Grants } from '../grants';
import type { SessionsService } from '../sessions';
import { createLiveAccess, recheckWindowOf, type LiveAccess } from './live-access';
import { LiveStream, type CloseReason, type LiveStreamOptions, type StreamSink } from './live-stream';
import { createLiveTickets, type LiveTickets } from './live-tickets.service';

export interface LiveLogger {
  warn(obj: object, msg: string): void;
}

export interface LiveStreamsService {
  tickets: LiveTickets;
  access: LiveAccess;
  /**
   * Opens a viewer's stream of the session's committed events after `after` (the caller has
   * checked access and that the session exists); resolves once it listens to the hub.
   */
  open(sink: StreamSink, target: { scope: Scope; sessionId: string; actor: Actor; after: number }): Promise<void>;
  /** Streams open in this instance, and how many closed for each reason since it started. */
  stats(): { open: number; closed: Record<CloseReason, number> };
  /** Ends every open stream (before the server closes: open streams would keep it from closing). */
  closeAll(): void;
}

export interface LiveStreamsDeps {
  database: Database;
  sessions: SessionsService;
  grants: Grants;
  hub: LiveHub;
  options: LiveStreamOptions;
  now?: () => Date;
  log?: LiveLogger;
}

export function createLiveStreamsService({ database, sessions, grants, hub, options, now = () => new Date(), log }: LiveStreamsDeps): LiveStreamsService {
  const access = createLiveAccess({ database, grants, sessions, recheckWindowMs: recheckWindowOf(options.recheckMs) });
  const tickets = createLiveTickets({ database, access, now });
  const streams = new Set<LiveStream>();
  const closed: Record<CloseReason, number> = { ended: 0, client: 0, slow: 0, access: 0, error: 0, shutdown: 0 };
  return {
    tickets,
    access,
    async open(sink, target) {
      const stream = new LiveStream(sink, target, {
        sessions,
        hub,
        access,
        now,
        options,
        onClosed(reason, err) {
          streams.delete(stream);
          closed[reason]++;
          if (reason === 'error') log?.warn({ err, sessionId: target.sessionId }, 'a live stream stopped on an error; its viewer resumes from its last id');
        },
      });
      streams.add(stream);
      await stream.start();
    },
    stats: () => ({ open: streams.size, closed: { ...closed } }),
    closeAll() {
      for (const stream of [...streams]) stream.close();
    },
  };
}
