import { useEffect, useRef, useState } from 'react';
import type { VeritasEvent } from '@veritas/schema';
import { followSession, type FeedStatus } from './live-feed';

export interface LiveSession {
  status: FeedStatus;
  /** Every event received so far, in seq order (grows in place; `version` says when). */
  events: readonly VeritasEvent[];
  /** Bumped on each batch of new events. */
  version: number;
  /** Messages whose seq had already been received (expected 0). */
  duplicates: number;
}

/**
 * A session's live events, kept for the page (all of them: the writing view rebuilds the text from
 * them, the sensor view reads the samples). Follows `followSession` while `enabled`.
 */
export function useLiveSession(sessionId: string, { enabled, ticketed }: { enabled: boolean; ticketed: boolean }): LiveSession {
  const events = useRef<VeritasEvent[]>([]);
  const [version, setVersion] = useState(0);
  const [status, setStatus] = useState<FeedStatus>({ state: 'connecting' });
  const [duplicates, setDuplicates] = useState(0);

  useEffect(() => {
    if (!enabled) return;
    events.current = [];
    setVersion(0);
    setDuplicates(0);
    return followSession(
      sessionId,
      {
        onEvents: (batch) => {
          events.current.push(...batch);
          setVersion((v) => v + 1);
        },
        onStatus: setStatus,
        onDuplicate: () => setDuplicates((d) => d + 1),
      },
      { ticketed },
    );
  }, [sessionId, enabled, ticketed]);

  return { status, events: events.current, version, duplicates };
}

/** The status in words, for the page's status line. */
export function statusText(s: FeedStatus): string {
  switch (s.state) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live';
    case 'reconnecting':
      return 'Connection lost; reconnecting (nothing will be missed)…';
    case 'ended':
      return 'The session has ended; everything it recorded is shown.';
    case 'failed':
      return `Cannot follow this session: ${s.message}.`;
  }
}
