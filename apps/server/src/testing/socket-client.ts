import WebSocket from 'ws';

/** What the ingest socket answers, loosely: each test asserts the fields it is about. */
export interface SocketMessage {
  type: string;
  ack?: number;
  firstSeq?: number;
  retryAfter?: number;
  problem: { type: string; status: number; detail?: string };
  [key: string]: unknown;
}

export interface SocketClient {
  ws: WebSocket;
  /** Resolves 'open', or the HTTP status the upgrade was refused with. */
  opened: Promise<'open' | number>;
  /** The next message, in arrival order. */
  next(): Promise<SocketMessage>;
  /** Resolves with the close code. */
  closed: Promise<number>;
}

/** A WebSocket whose JSON messages a test reads in order with next(). */
export function openSocket(url: string): SocketClient {
  const ws = new WebSocket(url);
  const inbox: SocketMessage[] = [];
  const waiters: ((m: SocketMessage) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as SocketMessage;
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  ws.on('error', () => {});
  return {
    ws,
    opened: new Promise((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(0));
    }),
    next: () => new Promise<SocketMessage>((r) => (inbox.length ? r(inbox.shift()!) : waiters.push(r))),
    closed: new Promise<number>((r) => ws.once('close', (code) => r(code))),
  };
}
