/**
 * SSE viewers in a process of their own (so the server does not pay for its own clients). Orders
 * over IPC: open connections, reset the counters, report, close. Each message's latency is read
 * from the `"ts":` it carries (a wall-clock time in ms set by whoever published it) against this
 * process's clock; per connection the ids are checked for gaps and duplicates.
 */
import { request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram, type HistogramData } from './histogram';

export type ViewerOrder = { kind: 'open'; urls: string[]; concurrency: number } | { kind: 'reset' } | { kind: 'report' } | { kind: 'close' };

export type ViewerReply =
  | { kind: 'opened'; ok: number; failed: number; errors: string[] }
  | { kind: 'reset' }
  | { kind: 'report'; open: number; deliveries: number; gaps: number; duplicates: number; dropped: number; latency: HistogramData; perConnection: number[] }
  | { kind: 'closed' }
  | { kind: 'failed'; message: string };

const now = () => performance.timeOrigin + performance.now();
const TS = /"ts":(\d+(?:\.\d+)?)/;

interface Conn {
  req: ClientRequest;
  rest: string;
  lastId: number;
  count: number;
  open: boolean;
}

const conns: Conn[] = [];
let latency = new Histogram();
let deliveries = 0;
let gaps = 0;
let duplicates = 0;
let dropped = 0;

function onBlock(c: Conn, block: string): void {
  if (block.startsWith(':') || block.startsWith('retry:')) return;
  let id = Number.NaN;
  if (block.startsWith('id: ')) id = Number(block.slice(4, block.indexOf('\n')));
  if (block.startsWith('event: end')) return;
  const m = TS.exec(block);
  if (!m) return;
  const at = now();
  deliveries++;
  c.count++;
  latency.add(at - Number(m[1]));
  if (!Number.isNaN(id)) {
    if (id <= c.lastId) duplicates++;
    else if (c.lastId >= 0 && id > c.lastId + 1) gaps += id - c.lastId - 1;
    c.lastId = Math.max(c.lastId, id);
  }
}

function openOne(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`status ${res.statusCode}`));
      }
      const c: Conn = { req, rest: '', lastId: -1, count: 0, open: true };
      conns.push(c);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        let text = c.rest + chunk;
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          onBlock(c, text.slice(0, end));
          text = text.slice(end + 2);
        }
        c.rest = text;
      });
      const gone = () => {
        if (c.open) dropped++;
        c.open = false;
      };
      res.on('end', gone);
      res.on('error', gone);
      resolve();
    });
    req.on('error', reject);
    req.end();
  });
}

async function handle(o: ViewerOrder): Promise<ViewerReply> {
  if (o.kind === 'open') {
    let ok = 0;
    let failed = 0;
    const errors = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < o.urls.length) {
        const url = o.urls[next++]!;
        try {
          await openOne(url);
          ok++;
        } catch (err) {
          failed++;
          errors.add(String((err as Error).message));
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return { kind: 'opened', ok, failed, errors: [...errors].slice(0, 5) };
  }
  if (o.kind === 'reset') {
    latency = new Histogram();
    deliveries = gaps = duplicates = dropped = 0;
    for (const c of conns) c.count = 0;
    return { kind: 'reset' };
  }
  if (o.kind === 'report') {
    return {
      kind: 'report',
      open: conns.filter((c) => c.open).length,
      deliveries,
      gaps,
      duplicates,
      dropped,
      latency: latency.data(),
      perConnection: conns.map((c) => c.count),
    };
  }
  for (const c of conns) {
    c.open = false;
    c.req.destroy();
  }
  conns.length = 0;
  return { kind: 'closed' };
}

process.on('message', (o: ViewerOrder) => {
  handle(o).then(
    (r) => process.send!(r),
    (err: unknown) => process.send!({ kind: 'failed', message: String((err as Error)?.stack ?? err) } satisfies ViewerReply),
  );
});
process.on('disconnect', () => process.exit(0));
