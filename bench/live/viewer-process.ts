/**
 * SSE viewers in a process of their own (so the server does not pay for its own clients). Orders
 * over IPC: open connections, reset the counters, report, close. Each message's latency is read
 * from the `"ts":` it carries (a wall-clock time in ms set by whoever published it) against this
 * process's clock; per connection the ids are checked for gaps and duplicates.
 */
import { request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Histogram, type HistogramData } from './histogram';

/** A stream to open: its URL, with headers (a bearer token) when it takes no ticket. */
export type StreamTarget = string | { url: string; headers?: Record<string, string> };

export type ViewerOrder =
  | { kind: 'open'; urls: StreamTarget[]; concurrency: number }
  /** Alerts sockets (WebSocket), opened from `origin` as the teachers' pages would. */
  | { kind: 'alerts'; urls: { url: string; headers: Record<string, string>; origin: string }[] }
  | { kind: 'reset' }
  | { kind: 'report' }
  | { kind: 'close' };

/** An alert as a teacher's socket received it: which session, when (this process's clock). */
export interface AlertSeen {
  sessionId: string;
  at: number;
}

export type ViewerReply =
  | { kind: 'opened'; ok: number; failed: number; errors: string[] }
  | { kind: 'reset' }
  | {
      kind: 'report';
      open: number;
      deliveries: number;
      gaps: number;
      duplicates: number;
      dropped: number;
      latency: HistogramData;
      perConnection: number[];
      /** Exam views: from a host `metrics` event's due time (its `bts` label) to the first view message that shows it. */
      view: HistogramData;
      viewMessages: number;
      alerts: AlertSeen[];
      socketsOpen: number;
    }
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
let view = new Histogram();
let viewMessages = 0;
/** Per exam view, per session: the last host `bts` label seen (each change is timed once per view). */
const viewSeen = new Map<Conn, Map<string, number>>();
let alerts: AlertSeen[] = [];
const sockets: WebSocket[] = [];

interface StudentsMessage {
  students: { sessionId: string | null; host: { labels: Record<string, number | boolean> } | null }[];
}

function onStudents(c: Conn, data: string): void {
  const at = now();
  viewMessages++;
  let seen = viewSeen.get(c);
  if (!seen) viewSeen.set(c, (seen = new Map()));
  for (const s of (JSON.parse(data) as StudentsMessage).students) {
    const bts = s.host?.labels.bts;
    if (typeof bts !== 'number' || !s.sessionId || bts <= (seen.get(s.sessionId) ?? 0)) continue;
    seen.set(s.sessionId, bts);
    view.add(at - bts);
  }
}

function onBlock(c: Conn, block: string): void {
  if (block.startsWith(':') || block.startsWith('retry:')) return;
  if (block.startsWith('event: students\ndata: ')) return onStudents(c, block.slice('event: students\ndata: '.length));
  let id = Number.NaN;
  if (block.startsWith('id: ')) id = Number(block.slice(4, block.indexOf('\n')));
  if (block.startsWith('event: end')) return;
  const m = TS.exec(block);
  // Every event counts (and is checked for gaps); those stamped with a due time are timed.
  if (!m && Number.isNaN(id)) return;
  const at = now();
  deliveries++;
  c.count++;
  if (m) latency.add(at - Number(m[1]));
  if (!Number.isNaN(id)) {
    if (id <= c.lastId) duplicates++;
    else if (c.lastId >= 0 && id > c.lastId + 1) gaps += id - c.lastId - 1;
    c.lastId = Math.max(c.lastId, id);
  }
}

function openOne(target: StreamTarget): Promise<void> {
  const { url, headers = {} } = typeof target === 'string' ? { url: target } : target;
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
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
        // A busy server may refuse an open (its pool waited too long): try again, as EventSource would.
        for (let attempt = 1; ; attempt++) {
          try {
            await openOne(url);
            ok++;
            break;
          } catch (err) {
            if (attempt < 5) {
              await new Promise((r) => setTimeout(r, 1000));
              continue;
            }
            failed++;
            errors.add(String((err as Error).message));
            break;
          }
        }
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return { kind: 'opened', ok, failed, errors: [...errors].slice(0, 5) };
  }
  if (o.kind === 'alerts') {
    const opened = await Promise.all(
      o.urls.map(
        ({ url, headers, origin }) =>
          new Promise<string | null>((resolve) => {
            const ws = new WebSocket(url, { headers: { ...headers, origin } });
            const sent = new Set<string>();
            ws.once('open', () => resolve(null));
            ws.once('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
            ws.once('error', (err) => resolve(String(err.message)));
            ws.on('close', () => {
              if (sockets.includes(ws)) dropped++;
            });
            ws.on('message', (d) => {
              const at = now();
              const m = JSON.parse(d.toString()) as { type: string; alert?: { id: string; sessionId: string } };
              if (m.type !== 'alert' || !m.alert || sent.has(m.alert.id)) return;
              sent.add(m.alert.id);
              alerts.push({ sessionId: m.alert.sessionId, at });
            });
            sockets.push(ws);
          }),
      ),
    );
    const errors = opened.filter((e): e is string => e !== null);
    return { kind: 'opened', ok: opened.length - errors.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 5) };
  }
  if (o.kind === 'reset') {
    view = new Histogram();
    viewMessages = 0;
    alerts = [];
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
      view: view.data(),
      viewMessages,
      alerts,
      socketsOpen: sockets.filter((w) => w.readyState === WebSocket.OPEN).length,
    };
  }
  for (const c of conns) {
    c.open = false;
    c.req.destroy();
  }
  conns.length = 0;
  for (const ws of sockets.splice(0)) ws.terminate();
  return { kind: 'closed' };
}

process.on('message', (o: ViewerOrder) => {
  handle(o).then(
    (r) => process.send!(r),
    (err: unknown) => process.send!({ kind: 'failed', message: String((err as Error)?.stack ?? err) } satisfies ViewerReply),
  );
});
process.on('disconnect', () => process.exit(0));
