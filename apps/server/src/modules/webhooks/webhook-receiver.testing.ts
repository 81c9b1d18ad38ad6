import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One message as a receiver saw it: verified or not, and what it answered. */
export interface Received {
  id: string;
  body: string;
  headers: IncomingHttpHeaders;
  answered: number;
  verified: boolean;
}

/**
 * A real HTTP receiver for the webhook tests (node:http, on 127.0.0.1): it verifies every message with
 * the `standardwebhooks` package against the secrets it is given, answers `failFirst` attempts of
 * each message id with 500 (or every attempt, when `failFirst` is Infinity), then 200.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  secrets: string[] = [];
  failFirst: number;
  private readonly server: Server;
  private readonly tries = new Map<string, number>();

  constructor(options: { failFirst?: number } = {}) {
    this.failFirst = options.failFirst ?? 0;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id'] ?? '');
        const verified = this.secrets.some((s) => this.verifies(s, body, req.headers));
        const n = (this.tries.get(id) ?? 0) + 1;
        this.tries.set(id, n);
        const answered = !verified ? 401 : n <= this.failFirst ? 500 : 200;
        this.received.push({ id, body, headers: req.headers, answered, verified });
        res.writeHead(answered, { 'content-type': 'text/plain' });
        res.end(answered === 200 ? 'ok' : `attempt ${n} refused (${answered})`);
      });
    });
  }

  /** Whether a message verifies with this one secret (the package throws when it does not). */
  verifies(secret: string, body: string, headers: IncomingHttpHeaders): boolean {
    try {
      new Webhook(secret).verify(body, {
        'webhook-id': String(headers['webhook-id']),
        'webhook-timestamp': String(headers['webhook-timestamp']),
        'webhook-signature': String(headers['webhook-signature']),
      });
      return true;
    } catch {
      return false;
    }
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** The messages answered 200, by id. */
  acknowledged(): Map<string, Received[]> {
    const out = new Map<string, Received[]>();
    for (const r of this.received) if (r.answered === 200) out.set(r.id, [...(out.get(r.id) ?? []), r]);
    return out;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
