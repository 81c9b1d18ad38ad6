import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { RawConnection, requestBytes } from './raw-http';

export interface Client {
  id: string;
  token: string;
  bodies: string[];
  /** Each batch's whole request (headers and body) as bytes, written before timing: what the raw client sends. */
  requests: Buffer[];
}

/**
 * Which HTTP client the loads use (BENCH_LOAD_CLIENT): `raw` (default), one keep-alive socket per client
 * writing requests prepared as bytes (raw-http.ts); `node`, Node's http.request per batch (the client of
 * every figure before 1 Dec 2026, 12:00 UTC), to compare the generator's own cost.
 */
export const LOAD_CLIENT = process.env.BENCH_LOAD_CLIENT === 'node' ? 'node' : 'raw';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

export function request(
  url: string,
  method: string,
  body: string | undefined,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

/** Realistic writing events: mostly text ops and key events. */
function event(seq: number): VeritasEvent {
  return seq % 2 === 0
    ? { seq, t: seq * 40, type: 'text.op', data: { pos: seq >> 1, del: 0, ins: 'e', cause: 'type', trusted: true } }
    : { seq, t: seq * 40, type: 'key', data: { class: 'char', hold: 85, trusted: true } };
}

/** Creates `n` sessions and seals `batchesEach` chained batches of `batchSize` events for each, before any timing. */
export async function prepareClients(url: string, n: number, batchesEach: number, batchSize: number): Promise<Client[]> {
  const clients: Client[] = [];
  for (let c = 0; c < n; c++) {
    const r = await request(`${url}/v1/sessions`, 'POST', JSON.stringify({ kind: 'writing' }));
    if (r.status !== 201) throw new Error(`could not create a session: ${r.status} ${r.body}`);
    const { id, writeToken } = JSON.parse(r.body) as { id: string; writeToken: string };
    const key = await macKeyFromToken(writeToken);
    let prev = await genesisHash(id);
    const bodies: string[] = [];
    const requests: Buffer[] = [];
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${writeToken}` };
    for (let b = 0; b < batchesEach; b++) {
      const events = Array.from({ length: batchSize }, (_, i) => event(b * batchSize + i));
      const sealed = await sealBatch(events, prev, key);
      prev = sealed.hash;
      bodies.push(JSON.stringify(sealed));
      if (LOAD_CLIENT === 'raw') requests.push(requestBytes(new URL(url), 'POST', `/v1/sessions/${id}/events`, headers, bodies[b]!));
    }
    clients.push({ id, token: writeToken, bodies, requests });
  }
  return clients;
}

export interface RunResult {
  /** Events acknowledged per second in the steady window (after the first interval of ramp-up). */
  rate: number;
  latenciesMs: number[];
  /** The acks of the steady window only (after the first interval, when every client has sent once). */
  steadyLatenciesMs: number[];
  /** Open loop: ack time measured from when the batch was due by the schedule, not when it left. */
  fromDueMs: number[];
  /** Open loop: how late each batch left against its schedule (the generator's own timer lateness). */
  lateMs: number[];
  /** The generator's own event-loop delay during the load (p99 and max, ms). */
  loopDelayMs: { p99: number; max: number };
  errors: number;
}

/**
 * Each client sends its batches in order, one in flight at a time (as the recorder does).
 * `intervalMs` 0: closed loop, as fast as acks return. Otherwise open loop: a batch every interval.
 */
export async function runLoad(url: string, clients: Client[], batchSize: number, intervalMs: number, seconds: number): Promise<RunResult> {
  const latencies: number[] = [];
  const steady: number[] = [];
  const fromDue: number[] = [];
  const late: number[] = [];
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let events = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const steadyFrom = start + Math.min(intervalMs, seconds * 500);
  const { hostname, port } = new URL(url);
  const connections = clients.map(() => new RawConnection(hostname, Number(port)));
  const post =
    LOAD_CLIENT === 'raw'
      ? (c: Client, ci: number, b: number) => connections[ci]!.send(c.requests[b]!)
      : async (c: Client, _ci: number, b: number) =>
          (await request(`${url}/v1/sessions/${c.id}/events`, 'POST', c.bodies[b], { authorization: `Bearer ${c.token}` })).status;
  await Promise.all(
    clients.map(async (c, ci) => {
      // Spread open-loop clients across the interval so the offered load is even.
      // `scheduled` is when the batch was due; `sent` is when it actually left (later if this
      // process's timers or event loop ran late). Latency is reported from `sent`, as before, and
      // from `scheduled` apart, so the generator's own lateness can be told from the server's.
      let scheduled = start + (intervalMs > 0 ? (ci / clients.length) * intervalMs : 0);
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, scheduled - performance.now()));
      for (let b = 0; b < c.bodies.length && performance.now() < deadline; b++) {
        const sent = performance.now();
        if (intervalMs === 0) scheduled = sent;
        const status = await post(c, ci, b).catch(() => 0);
        const done = performance.now();
        if (status === 200) {
          latencies.push(done - sent);
          fromDue.push(done - scheduled);
          late.push(sent - scheduled);
          // The first interval is each session's first batch, on a server that has not yet run the ingest path.
          if (sent >= steadyFrom) steady.push(done - sent);
          if (done >= steadyFrom && done <= deadline) events += batchSize;
        } else errors++;
        if (intervalMs > 0) {
          // The next batch is due one interval after this one was due (a late batch does not
          // shift the schedule), or as soon as this ack is back if it came later than that.
          scheduled += intervalMs;
          const wait = scheduled - performance.now();
          if (wait > 0) await new Promise((res) => setTimeout(res, wait));
        }
      }
    }),
  );
  loopDelay.disable();
  for (const c of connections) c.close();
  return {
    rate: events / ((deadline - steadyFrom) / 1000),
    latenciesMs: latencies,
    steadyLatenciesMs: steady,
    fromDueMs: fromDue,
    lateMs: late,
    loopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    errors,
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
