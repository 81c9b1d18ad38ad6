/**
 * The webhook receiver of bench/webhooks, in a process of its own (so its CPU is measured apart and it
 * does not share an event loop with the load): node:http on 127.0.0.1, answering 204 to every message.
 * One message in `VERIFY_EVERY` is verified with the `standardwebhooks` package against the endpoints'
 * secrets (a failure answers 401 and is counted; the server then retries it). Every arrival is kept as
 * (webhook-id, arrival time, the message's `timestamp`) and handed to the bench when it asks.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** A sample, not every message: verification is the receiver's cost, not the server's. */
const VERIFY_EVERY = 20;

export type ReceiverOrder = { kind: 'secrets'; secrets: string[] } | { kind: 'collect' };
export type ReceiverReply =
  | { kind: 'listening'; url: string }
  | { kind: 'ok' }
  | { kind: 'arrivals'; ids: string[]; at: number[]; stamped: number[]; verified: number; refused: number; cpuSeconds: number };

let hooks: Webhook[] = [];
let ids: string[] = [];
let at: number[] = [];
let stamped: number[] = [];
let seen = 0;
let verified = 0;
let refused = 0;

function verifies(body: string, headers: Record<string, string>): boolean {
  for (const h of hooks) {
    try {
      h.verify(body, headers);
      return true;
    } catch {
      // try the next endpoint's secret
    }
  }
  return false;
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const now = Date.now();
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(req.headers['webhook-id'] ?? '');
    if (seen++ % VERIFY_EVERY === 0) {
      const ok = verifies(body, {
        'webhook-id': id,
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      });
      if (!ok) {
        refused++;
        res.writeHead(401).end();
        return;
      }
      verified++;
    }
    ids.push(id);
    at.push(now);
    stamped.push(Date.parse((JSON.parse(body) as { timestamp: string }).timestamp));
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 5000;

server.listen(0, '127.0.0.1', () => {
  process.send!({ kind: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` } satisfies ReceiverReply);
});

process.on('message', (o: ReceiverOrder) => {
  if (o.kind === 'secrets') {
    hooks = o.secrets.map((s) => new Webhook(s));
    process.send!({ kind: 'ok' } satisfies ReceiverReply);
    return;
  }
  const cpu = process.cpuUsage();
  process.send!({
    kind: 'arrivals',
    ids,
    at,
    stamped,
    verified,
    refused,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  } satisfies ReceiverReply);
  ids = [];
  at = [];
  stamped = [];
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
