/**
 * The soak's writers in a process of their own: `sessions` slots each send a sealed, MAC'd batch of
 * `batch` events every interval (open loop: `sessions × batch / rate` seconds, slots spread over the
 * interval, one batch in flight each, as the recorder does). `watched` slots keep one session for the
 * whole run (stamped events the live viewers time); the others write typing and end their session
 * after `sessionSeconds` (their first ends spread over that time), which enqueues its analysis, and
 * go on with a new session made ahead of time. Orders: prepare, start, minute (the figures since the
 * last minute), stop (ends every open session).
 */
import type { VeritasEvent } from '@veritas/schema';
import { typingEvents } from '../../apps/server/src/testing/batches';
import { Histogram, type HistogramData } from '../live/histogram';
import { now, sleep, Writer } from '../live/common';
import { serveOrders } from '../shared/child';

export type LoadOrder =
  | { kind: 'prepare'; url: string; apiKey: string; sessions: number; watched: number; batch: number; rate: number; sessionSeconds: number }
  | { kind: 'start' }
  | { kind: 'minute' }
  | { kind: 'stop' };
export type LoadReply =
  | { kind: 'prepared'; watched: string[] }
  | { kind: 'started' }
  | {
      kind: 'minute';
      events: number;
      batches: number;
      /** Batches answered with an error (retried as the next batch, as the recorder would). */
      errors: number;
      /** Ingest ack, from when the batch was due to its acknowledgement. */
      acks: HistogramData;
      ended: number;
      endErrors: number;
      createErrors: number;
      /** POST …/end, from the call to its answer. */
      ends: HistogramData;
      /** The next seq of each watched session (a viewer that opens now asks for what comes after). */
      watchedSeq: number[];
    }
  | { kind: 'stopped'; ended: number; watchedEvents: number[] };

interface Session {
  writer: Writer;
  token: string;
}

let url = '';
let apiKey = '';
let plan: Extract<LoadOrder, { kind: 'prepare' }>;
let watched: Session[] = [];
let stopping = false;
let running: Promise<void> = Promise.resolve();
const live = new Set<Session>();
let m = fresh();
let totalEnded = 0;

function fresh() {
  return { events: 0, batches: 0, errors: 0, acks: new Histogram(), ended: 0, endErrors: 0, createErrors: 0, ends: new Histogram() };
}

/** A session of the tenant, made with its API key (so it has webhooks), written with its write token. */
async function createSession(): Promise<Session> {
  for (;;) {
    const r = await fetch(`${url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ kind: 'writing' }),
    });
    const text = await r.text();
    if (r.status === 201) {
      const { id, writeToken } = JSON.parse(text) as { id: string; writeToken: string };
      const s = { writer: await new Writer(url).existing(id, writeToken), token: writeToken };
      live.add(s);
      return s;
    }
    m.createErrors++;
    if (stopping) throw new Error(`creating a session answered ${r.status}: ${text.slice(0, 200)}`);
    await sleep(1000);
  }
}

async function endSession(s: Session): Promise<void> {
  live.delete(s);
  const started = now();
  try {
    const r = await fetch(`${url}/v1/sessions/${s.writer.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${s.token}` } });
    await r.text();
    if (r.status !== 200) throw new Error(String(r.status));
    m.ends.add(now() - started);
    m.ended++;
    totalEnded++;
  } catch {
    m.endErrors++;
  }
}

const TEXT = 'the quick brown fox jumps over the lazy dog; ';
/** `n` typing events from `seq` on: one character each, 120 ms apart, each at the end of the text. */
const typing = (n: number) => (seq: number) =>
  typingEvents(Array.from({ length: n }, (_, i) => TEXT[(seq + i) % TEXT.length]).join(''), seq, seq * 120) as VeritasEvent[];

async function slot(i: number, start: number, intervalMs: number): Promise<void> {
  const rotating = i >= plan.watched;
  const lifeMs = plan.sessionSeconds * 1000;
  let s = rotating ? await createSession() : watched[i]!;
  let next = rotating ? createSession() : undefined;
  // The first ends of the rotating slots are spread over one lifetime, so sessions end at a steady pace.
  let endAt = rotating ? start + (lifeMs * (i - plan.watched + 1)) / (plan.sessions - plan.watched) : Infinity;
  for (let due = start + (i * intervalMs) / plan.sessions; !stopping; due += intervalMs) {
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    if (stopping) break;
    if (due >= endAt) {
      void endSession(s);
      s = await next!;
      next = createSession();
      endAt = due + lifeMs;
    }
    try {
      m.acks.add(await s.writer.send(plan.batch, 0, due, rotating ? typing(plan.batch) : undefined));
      m.events += plan.batch;
      m.batches++;
    } catch {
      m.errors++;
    }
  }
  // The session made ahead and never written is ended with the rest.
  if (next) await next.catch(() => undefined);
}

serveOrders<LoadOrder, LoadReply>(async (o) => {
  switch (o.kind) {
    case 'prepare':
      plan = o;
      url = o.url;
      apiKey = o.apiKey;
      watched = await Promise.all(Array.from({ length: o.watched }, () => createSession()));
      return { kind: 'prepared', watched: watched.map((s) => s.writer.id) };
    case 'start': {
      const intervalMs = (plan.sessions * plan.batch * 1000) / plan.rate;
      const start = now() + 500;
      m = fresh();
      running = Promise.all(Array.from({ length: plan.sessions }, (_, i) => slot(i, start, intervalMs))).then(() => undefined);
      return { kind: 'started' };
    }
    case 'minute': {
      const r = m;
      m = fresh();
      return { kind: 'minute', ...r, acks: r.acks.data(), ends: r.ends.data(), watchedSeq: watched.map((s) => s.writer.seq) };
    }
    case 'stop': {
      stopping = true;
      await running;
      const watchedEvents = watched.map((s) => s.writer.seq);
      await Promise.all([...live].map((s) => endSession(s)));
      return { kind: 'stopped', ended: totalEnded, watchedEvents };
    }
  }
});
