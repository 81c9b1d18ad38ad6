/**
 * The exam's students in a process of their own: each has a session and sends a batch every
 * `intervalMs` (students start spread over the interval, one batch in flight each, as the recorder
 * does), each event stamped with the time its batch was due, over HTTP (a POST per batch) or each
 * over its session's ingest socket (`transport: 'ws'`). Orders over IPC: prepare, run.
 */
import type { VeritasEvent } from '@veritas/schema';
import { Histogram, type HistogramData } from './histogram';
import { now, sleep, Writer } from './common';

export type WriterOrder =
  | { kind: 'prepare'; url: string; sessions: number; transport: Transport }
  /** Sessions made elsewhere (exam attempts): written with their write tokens. */
  | { kind: 'adopt'; url: string; sessions: { sessionId: string; writeToken: string }[]; transport: Transport }
  /**
   * `exam`: each batch carries a host `metrics` event labelled with its due time (`bts`), and the
   * batch due `violationAfterMs` into the run carries a `violation` (several faces) as well.
   */
  | { kind: 'run'; seconds: number; intervalMs: number; eventsPerBatch: number; exam?: { violationAfterMs: number } };
export type WriterReply =
  | { kind: 'prepared'; ids: string[] }
  | {
      kind: 'ran';
      acks: HistogramData;
      /** The acks of batches due after the first interval: every student's first batch (a new connection, the session's first commit) is in it. */
      steadyAcks: HistogramData;
      /** The acks by the interval their batch was due in (index 0: the first interval), to see when in the run the tail comes. */
      ackWindows: HistogramData[];
      batches: number;
      errors: number;
      late: number;
      eventsBySession: number[];
      /** When each session's violation batch was due (NaN: none sent, or not acknowledged). */
      violationDue: number[];
    }
  | { kind: 'failed'; message: string };

/** How each student's batches travel: a POST each, or the session's ingest socket (opened before the run). */
export type Transport = 'http' | 'ws';

let writers: Writer[] = [];

async function connect(transport: Transport): Promise<void> {
  if (transport !== 'ws') return;
  for (let i = 0; i < writers.length; i += 100) await Promise.all(writers.slice(i, i + 100).map((w) => w.openSocket()));
}

async function handle(o: WriterOrder): Promise<WriterReply> {
  if (o.kind === 'prepare') {
    writers = [];
    for (let i = 0; i < o.sessions; i += 50) {
      const group = Array.from({ length: Math.min(50, o.sessions - i) }, () => new Writer(o.url).create());
      writers.push(...(await Promise.all(group)));
    }
    await connect(o.transport);
    return { kind: 'prepared', ids: writers.map((w) => w.id) };
  }
  if (o.kind === 'adopt') {
    writers = await Promise.all(o.sessions.map((s) => new Writer(o.url).existing(s.sessionId, s.writeToken)));
    await connect(o.transport);
    return { kind: 'prepared', ids: writers.map((w) => w.id) };
  }
  const acks = new Histogram();
  const steadyAcks = new Histogram();
  const ackWindows = Array.from({ length: Math.ceil((o.seconds * 1000) / o.intervalMs) }, () => new Histogram());
  let batches = 0;
  let errors = 0;
  let late = 0;
  const start = now() + 200;
  const end = start + o.seconds * 1000;
  const sent = writers.map((w) => w.seq);
  const violationDue = writers.map(() => Number.NaN);
  const exam = o.exam;
  await Promise.all(
    writers.map(async (w, i) => {
      for (let due = start + (i * o.intervalMs) / writers.length; due < end; due += o.intervalMs) {
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        else if (wait < -o.intervalMs) late++;
        const violating = exam !== undefined && Number.isNaN(violationDue[i]!) && due >= start + exam.violationAfterMs;
        const extra = (seq: number, ts: number): VeritasEvent[] =>
          exam
            ? [
                { seq, t: seq * 10, type: 'metrics', data: { values: { confusion: 0.3, engagement: 0.7, bts: ts }, source: 'bench' } } as VeritasEvent,
                ...(violating
                  ? [{ seq: seq + 1, t: (seq + 1) * 10, type: 'violation', data: { kind: 'multiple_faces', confidence: 0.97 } } as VeritasEvent]
                  : []),
              ]
            : [];
        try {
          const ack = await w.send(o.eventsPerBatch, 0, due, extra);
          acks.add(ack);
          if (due >= start + o.intervalMs) steadyAcks.add(ack);
          ackWindows[Math.floor((due - start) / o.intervalMs)]?.add(ack);
          if (violating) violationDue[i] = due;
          batches++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return {
    kind: 'ran',
    acks: acks.data(),
    steadyAcks: steadyAcks.data(),
    ackWindows: ackWindows.map((h) => h.data()),
    batches,
    errors,
    late,
    eventsBySession: writers.map((w, i) => w.seq - sent[i]!),
    violationDue,
  };
}

process.on('message', (o: WriterOrder) => {
  handle(o).then(
    (r) => process.send!(r),
    (err: unknown) => process.send!({ kind: 'failed', message: String((err as Error)?.stack ?? err) } satisfies WriterReply),
  );
});
process.on('disconnect', () => process.exit(0));
