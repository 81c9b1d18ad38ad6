/**
 * The webhook receiver in a process of its own: a node:http endpoint answering 204 to every message,
 * as a partner's would. Per message: its type, its id (`webhook-id`, to tell a redelivery from a new
 * message), and its delay = arrival − the message's `timestamp` (when the server stored it; same host
 * clock). Orders over IPC: listen (answers the URL), minute (what arrived since the last minute).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, type HistogramData } from '../live/histogram';
import { serveOrders } from '../shared/child';

export type ReceiverOrder = { kind: 'listen' } | { kind: 'minute' };
export type ReceiverReply =
  | { kind: 'listening'; url: string }
  | {
      kind: 'minute';
      /** First deliveries of each type this minute (a redelivered id is counted in `repeats`). */
      byType: Record<string, number>;
      repeats: number;
      delay: HistogramData;
      /** Since the start: distinct sessions told ended, and told analysed. */
      endedSessions: number;
      analysedSessions: number;
    };

const seen = new Set<string>();
const ended = new Set<string>();
const analysed = new Set<string>();
let byType: Record<string, number> = {};
let repeats = 0;
let delay = new Histogram();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    res.writeHead(204).end();
    const id = String(req.headers['webhook-id']);
    if (seen.has(id)) return void repeats++;
    seen.add(id);
    const body = JSON.parse(Buffer.concat(chunks).toString()) as { type: string; timestamp: string; data: { sessionId?: string } };
    byType[body.type] = (byType[body.type] ?? 0) + 1;
    delay.add(at - Date.parse(body.timestamp));
    if (body.data.sessionId) (body.type === 'session.ended' ? ended : analysed).add(body.data.sessionId);
  });
});

serveOrders<ReceiverOrder, ReceiverReply>(async (o) => {
  if (o.kind === 'listen') {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { kind: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
  }
  const reply: ReceiverReply = { kind: 'minute', byType, repeats, delay: delay.data(), endedSessions: ended.size, analysedSessions: analysed.size };
  byType = {};
  repeats = 0;
  delay = new Histogram();
  return reply;
});
