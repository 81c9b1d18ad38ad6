import { api, unwrap } from '../../api/client';
import { ApiProblem } from '../../api/problem';
import type { Acknowledgement, AlertsServerMessage, LiveAlert, StudentsMessage } from './exam-live-types';

/** How a channel stands, as the page says it. */
export type ChannelStatus = { state: 'connecting' | 'live' | 'reconnecting' } | { state: 'failed'; message: string };

/** Waits before opening a channel again (a server away, a ticket refused after a restart). */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

type Purpose = 'exam-live' | 'alerts';

/** A ticket for one of the exam's channels; throws `failed` for an answer no retry changes (not theirs). */
async function ticketFor(examId: string, purpose: Purpose): Promise<string | { failed: string }> {
  try {
    const { ticket } = await unwrap(api.POST('/v1/exams/{examId}/live-tickets', { params: { path: { examId } }, body: { purpose } }));
    return ticket;
  } catch (err) {
    if (err instanceof ApiProblem && [401, 403, 404].includes(err.status)) return { failed: err.summary };
    throw err;
  }
}

/** Runs `connect` again after each loss, with a fresh ticket and a growing wait; returns a stop function. */
function keepOpen(
  examId: string,
  purpose: Purpose,
  onStatus: (s: ChannelStatus) => void,
  connect: (ticket: string, opened: () => void, lost: () => void) => () => void,
): () => void {
  let stopped = false;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let close: (() => void) | undefined;
  const again = () => {
    close?.();
    close = undefined;
    if (stopped) return;
    onStatus({ state: 'reconnecting' });
    timer = setTimeout(() => void open(), BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)]);
  };
  const open = async () => {
    let ticket: Awaited<ReturnType<typeof ticketFor>>;
    try {
      ticket = await ticketFor(examId, purpose);
    } catch {
      return again();
    }
    if (stopped) return;
    if (typeof ticket !== 'string') return onStatus({ state: 'failed', message: ticket.failed });
    let lost = false;
    close = connect(
      ticket,
      () => {
        failures = 0;
        onStatus({ state: 'live' });
      },
      () => {
        if (lost || stopped) return;
        lost = true;
        again();
      },
    );
  };
  onStatus({ state: 'connecting' });
  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    close?.();
  };
}

/**
 * The exam's live view (`GET /v1/exams/{id}/live`, SSE with the browser's EventSource): each
 * `students` message is the whole class as it stands, so a reconnection needs no resume, only a new
 * ticket when the browser gives up on the old URL.
 */
export function followExam(examId: string, onStudents: (m: StudentsMessage) => void, onStatus: (s: ChannelStatus) => void): () => void {
  return keepOpen(examId, 'exam-live', onStatus, (ticket, opened, lost) => {
    const es = new EventSource(`/v1/exams/${encodeURIComponent(examId)}/live?ticket=${encodeURIComponent(ticket)}`);
    es.onopen = opened;
    es.addEventListener('students', (m: MessageEvent<string>) => onStudents(JSON.parse(m.data) as StudentsMessage));
    es.onerror = () => {
      // CONNECTING: the browser retries by itself; CLOSED: it gave up (a refused ticket), a new one then.
      if (es.readyState === EventSource.CLOSED) lost();
      else onStatus({ state: 'reconnecting' });
    };
    return () => es.close();
  });
}

export interface AlertsHandlers {
  onAlert(alert: LiveAlert): void;
  onAcknowledged(alertId: string, ack: Acknowledgement): void;
  /** The server refused what this page sent (in words). */
  onProblem(message: string): void;
  onStatus(s: ChannelStatus): void;
}

/**
 * The exam's critical alerts over the browser's WebSocket: the server sends each alert (and every
 * unacknowledged one again on each connection) and each acknowledgement, this teacher's or
 * another's; `ack` sends this teacher's. Reconnects with a fresh ticket whenever the socket closes.
 */
export function connectAlerts(examId: string, handlers: AlertsHandlers): { ack(alertId: string): boolean; stop(): void } {
  let socket: WebSocket | undefined;
  const stop = keepOpen(examId, 'alerts', handlers.onStatus, (ticket, opened, lost) => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${window.location.host}/v1/exams/${encodeURIComponent(examId)}/alerts/socket?ticket=${encodeURIComponent(ticket)}`);
    socket = ws;
    ws.onopen = opened;
    ws.onmessage = (m: MessageEvent<string>) => {
      const msg = JSON.parse(m.data) as AlertsServerMessage;
      if (msg.type === 'alert') handlers.onAlert(msg.alert);
      else if (msg.type === 'acknowledged') handlers.onAcknowledged(msg.alertId, { by: msg.by, at: msg.at });
      else if (msg.type === 'problem') handlers.onProblem(msg.problem.detail ?? msg.problem.title);
    };
    ws.onclose = lost;
    return () => ws.close();
  });
  return {
    ack(alertId) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify({ type: 'ack', alertId }));
      return true;
    },
    stop,
  };
}
