import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, urlProblem } from './webhook-address';

/** What the delivery log keeps of an answer: at most this many characters of its body. */
export const WEBHOOK_EXCERPT_CHARS = 1024;

export interface SendResult {
  /** null when no answer came; then `error` says why. */
  status: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

/**
 * One POST of a signed message. Redirects are not followed (a 3xx is a failed attempt: following it
 * would let an endpoint point the server anywhere); every address connected to passes the SSRF
 * check; the answer's body is read up to the excerpt's size and then dropped.
 */
export function sendWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs: number },
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const refused = urlProblem(url, options.allowPrivate);
  if (refused) return Promise.resolve({ status: null, latencyMs: 0, excerpt: null, error: `the URL ${refused}` });
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Veritas-Webhooks/1', ...headers, 'content-length': Buffer.byteLength(body) },
        lookup: guardedLookup(options.allowPrivate) as never,
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => {
          const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, WEBHOOK_EXCERPT_CHARS);
          done({ status: res.statusCode ?? null, latencyMs: elapsed(), excerpt, error: null });
          res.destroy();
        };
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= WEBHOOK_EXCERPT_CHARS * 4) finish();
        });
        res.on('end', finish);
        res.on('error', finish);
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ status: null, latencyMs: elapsed(), excerpt: null, error: err.message || err.code || 'connection failed' }),
    );
    req.end(body);
  });
}
