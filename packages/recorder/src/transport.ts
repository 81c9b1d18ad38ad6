import { INGEST_PROTOCOL } from '@veritas/schema/chain';
import type { Batch, SessionKind, SessionMeta } from './types';
import { BATCH_TYPE, compactBatch, gzipped } from './wire';

/** A failed request: `retryable` ones are kept and resent; the rest are reported (409: resending will not fix it). */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
    readonly problem?: unknown,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([0, 408, 425, 429, 500, 502, 503, 504]);

function url(server: string, path: string): string {
  return server.replace(/\/+$/, '') + path;
}

/** A body already written for the wire, with its own headers (the compact, gzipped batch). */
interface Encoded {
  body: BodyInit;
  headers: Record<string, string>;
}

async function request(method: string, href: string, body: unknown, token?: string, enc?: Encoded): Promise<unknown> {
  const headers: Record<string, string> = enc ? { ...enc.headers } : {};
  if (body !== undefined && !enc) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(href, {
      method,
      headers,
      body: enc ? enc.body : body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
      credentials: 'omit',
    });
  } catch (e) {
    throw new TransportError(`network: ${(e as Error).message}`, true, 0);
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json;
  const retryAfter = Number(res.headers.get('retry-after'));
  const problem = json as { title?: string; detail?: string } | undefined;
  throw new TransportError(
    `${res.status} ${problem?.detail ?? problem?.title ?? res.statusText}`,
    RETRYABLE.has(res.status),
    res.status,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    json,
  );
}

export async function createSession(server: string, kind: SessionKind, meta?: SessionMeta): Promise<{ id: string; writeToken: string }> {
  const out = (await request('POST', url(server, '/v1/sessions'), meta ? { kind, meta } : { kind })) as { id?: unknown; writeToken?: unknown };
  if (typeof out?.id !== 'string' || typeof out.writeToken !== 'string') throw new TransportError('bad session answer', false, 201);
  return { id: out.id, writeToken: out.writeToken };
}

export async function endSession(server: string, id: string, token: string): Promise<void> {
  await request('POST', url(server, `/v1/sessions/${encodeURIComponent(id)}/end`), undefined, token);
}

/** Uploads a bundle exported in client-only mode; the server verifies its chain before storing it. */
export async function uploadBundle(server: string, bundle: unknown): Promise<unknown> {
  return request('POST', url(server, '/v1/bundles'), bundle);
}

function wire(b: Batch) {
  return b.mac ? { firstSeq: b.firstSeq, events: b.events, prevHash: b.prevHash, hash: b.hash, mac: b.mac } : b;
}

/** A batch over HTTP: compact and gzipped where it can be (ADR 0025), else the plain JSON batch. */
async function encoded(batch: Batch): Promise<Encoded> {
  const compact = compactBatch(batch);
  const { body, gzip } = await gzipped(compact ?? JSON.stringify(wire(batch)));
  const headers: Record<string, string> = { 'content-type': compact ? BATCH_TYPE : 'application/json' };
  if (gzip) headers['content-encoding'] = 'gzip';
  return { body, headers };
}

/** Sends one batch and answers with the server's ack. */
export interface Channel {
  send(batch: Batch): Promise<number>;
  close(): void;
}

export function httpChannel(server: string, id: string, token: string): Channel {
  const href = url(server, `/v1/sessions/${encodeURIComponent(id)}/events`);
  return {
    async send(batch) {
      const out = (await request('POST', href, undefined, token, await encoded(batch))) as { ack?: unknown };
      if (typeof out?.ack !== 'number') throw new TransportError('answer without ack', true, 200);
      return out.ack;
    },
    close() {},
  };
}

interface Waiter {
  firstSeq: number;
  resolve: (ack: number) => void;
  reject: (e: TransportError) => void;
}

/** One WebSocket per session: hello with the write token, then batches answered by acks. */
export function wsChannel(server: string, id: string, token: string): Channel {
  let socket: WebSocket | null = null;
  let ready: Promise<number> | null = null;
  const waiters: Waiter[] = [];

  function failAll(e: TransportError) {
    for (const w of waiters.splice(0)) w.reject(e);
  }

  function connect(): Promise<number> {
    const base = new URL(server || '/', typeof location === 'undefined' ? undefined : location.href);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.pathname = `${base.pathname.replace(/\/+$/, '')}/v1/sessions/${encodeURIComponent(id)}/ingest`;
    const ws = new WebSocket(base.href);
    socket = ws;
    return new Promise<number>((resolve, reject) => {
      let opened = false;
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: INGEST_PROTOCOL, token }));
      ws.onmessage = (m) => {
        let msg: { type?: string; ack?: number; firstSeq?: number; retryAfter?: number; problem?: { status?: number; detail?: string; title?: string } };
        try {
          msg = JSON.parse(String(m.data));
        } catch {
          return;
        }
        if (msg.type === 'ready' && typeof msg.ack === 'number') {
          opened = true;
          resolve(msg.ack);
        } else if (msg.type === 'ack' && typeof msg.ack === 'number') {
          const i = waiters.findIndex((w) => w.firstSeq === msg.firstSeq);
          if (i >= 0) waiters.splice(i, 1)[0]!.resolve(msg.ack);
        } else if (msg.type === 'error') {
          const status = msg.problem?.status ?? 0;
          const retryAfterMs = typeof msg.retryAfter === 'number' && msg.retryAfter > 0 ? msg.retryAfter * 1000 : undefined;
          const err = new TransportError(
            `${status} ${msg.problem?.detail ?? msg.problem?.title ?? 'error'}`,
            RETRYABLE.has(status),
            status,
            retryAfterMs,
            msg.problem,
          );
          const i = waiters.findIndex((w) => w.firstSeq === msg.firstSeq);
          if (i >= 0) waiters.splice(i, 1)[0]!.reject(err);
          else if (!opened) reject(err);
        }
      };
      ws.onclose = (ev) => {
        if (socket === ws) {
          socket = null;
          ready = null;
        }
        const err = new TransportError(`websocket closed (${ev.code})`, true, 0);
        if (!opened) reject(err);
        failAll(err);
      };
      ws.onerror = () => {
        /* onclose follows */
      };
    });
  }

  return {
    async send(batch) {
      if (!ready) ready = connect();
      const readyAck = await ready.catch((e: unknown) => {
        ready = null;
        throw e instanceof TransportError ? e : new TransportError(String(e), true, 0);
      });
      if (readyAck >= batch.firstSeq + batch.events.length - 1) return readyAck;
      const ws = socket;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        ready = null;
        throw new TransportError('websocket not open', true, 0);
      }
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          ws.close();
          reject(new TransportError('no ack', true, 0));
        }, 20_000);
        const w: Waiter = {
          firstSeq: batch.firstSeq,
          resolve: (a) => (clearTimeout(timer), resolve(a)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        };
        waiters.push(w);
        ws.send(JSON.stringify({ type: 'batch', batch: wire(batch) }));
      });
    },
    close() {
      const ws = socket;
      socket = null;
      ready = null;
      ws?.close(1000);
    },
  };
}
