import type { VeritasEvent } from '@veritas/schema';
import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';

/** Where a live feed stands, as the page says it. */
export type FeedStatus =
  { state: 'connecting' } | { state: 'live' } | { state: 'reconnecting'; attempt: number } | { state: 'ended' } | { state: 'failed'; message: string };

export interface FeedHandlers {
  /** New events in seq order, each once (a batch per flush, at most every FLUSH_MS). */
  onEvents(events: VeritasEvent[]): void;
  onStatus(status: FeedStatus): void;
  /** A message whose seq was already received (the server promises none; counted, never applied). */
  onDuplicate?(seq: number): void;
}

export interface FeedOptions {
  /** Ask for a ticket first (an institution's session; a public one needs none). */
  ticketed: boolean;
}

/** Events arriving within this long are handed over together: a 100 Hz stream renders ~10 times a second. */
const FLUSH_MS = 100;
/** Waits before reopening a stream the browser gave up on (a refused ticket, a server away). */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

/**
 * Follows `GET /v1/sessions/{id}/live` with the browser's own EventSource. The browser reconnects by
 * itself after a drop, sending Last-Event-ID, so it resumes exactly after the last event it had. When
 * it gives up (an answer other than the stream: a ticket expired or refused after a restart), the feed
 * opens a new stream itself, with a fresh ticket and `?after=` the last seq received. Either way no event
 * is missed or applied twice. Returns a function that stops it.
 */
export function followSession(sessionId: string, handlers: FeedHandlers, { ticketed }: FeedOptions): () => void {
  let lastSeq = -1;
  let withTicket = ticketed;
  let source: EventSource | undefined;
  let stopped = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let pending: VeritasEvent[] = [];

  const flush = () => {
    flushTimer = undefined;
    if (pending.length === 0) return;
    const out = pending;
    pending = [];
    handlers.onEvents(out);
  };
  const status = (s: FeedStatus) => !stopped && handlers.onStatus(s);

  const reopenLater = () => {
    source?.close();
    source = undefined;
    if (stopped) return;
    const wait = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)]!;
    failures++;
    status({ state: 'reconnecting', attempt: failures });
    retry = setTimeout(() => void open(), wait);
  };

  const open = async () => {
    let url = `/v1/sessions/${encodeURIComponent(sessionId)}/live?after=${lastSeq}`;
    if (withTicket) {
      try {
        const { ticket } = await unwrap(api.POST('/v1/sessions/{id}/live-tickets', { params: { path: { id: sessionId } } }));
        url += `&ticket=${encodeURIComponent(ticket)}`;
      } catch (err) {
        // Refused: a public session, which needs no ticket, or one this person cannot read (its stream
        // refuses them too, and says so). Anything else (the server away) may pass: try again later.
        if (!(err instanceof ApiProblem) || ![401, 403, 404].includes(err.status)) return reopenLater();
        withTicket = false;
      }
    }
    if (stopped) return;
    const es = new EventSource(url);
    source = es;
    es.onopen = () => {
      failures = 0;
      status({ state: 'live' });
    };
    es.onmessage = (m: MessageEvent<string>) => {
      const event = JSON.parse(m.data) as VeritasEvent;
      if (event.seq <= lastSeq) return handlers.onDuplicate?.(event.seq);
      lastSeq = event.seq;
      pending.push(event);
      flushTimer ??= setTimeout(flush, FLUSH_MS);
    };
    es.addEventListener('end', () => {
      // The server closes after `end`; without this the browser would reconnect to an ended session.
      es.close();
      flush();
      status({ state: 'ended' });
    });
    es.onerror = () => {
      if (es !== source) return;
      // CONNECTING: the browser retries by itself (with Last-Event-ID). CLOSED: it gave up, we go on.
      if (es.readyState === EventSource.CLOSED) reopenLater();
      else status({ state: 'reconnecting', attempt: ++failures });
    };
  };

  status({ state: 'connecting' });
  void open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    clearTimeout(flushTimer);
    source?.close();
  };
}
