import type { WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { BatchBody, INGEST_PROTOCOL, LIMITS } from '@veritas/schema';
import { AppError } from '../../kernel/errors';
import type { SessionWriter } from '../../kernel/actor';
import type { Access } from '../../kernel/policy';
import { parseJsonBody, problemFor } from '../../http/route-kit';
import type { RouteDeps } from '../../http/route-deps';

const batchCheck = TypeCompiler.Compile(BatchBody);
/** A socket may have this many batches committing at once; beyond, it is told to slow down. */
const MAX_IN_FLIGHT = 64;
const HELLO_TIMEOUT_MS = 10_000;
/** Messages received and not yet taken (while a hello is being checked, or a client sends faster than it is read). */
const MAX_WAITING = 256;

/**
 * One ingest socket: a hello with the write token and the protocol version, then batches, each
 * answered with the durable ack once committed. Answers may come out of order (they carry firstSeq).
 * The token arrives in the hello (browsers cannot set headers on a WebSocket), so the route's declared
 * access is enforced there, by the same resolution and check as the access hook (`authorize`).
 */
export function handleIngestSocket(
  socket: WebSocket,
  sessionId: string,
  access: Access,
  { services, authorize, config }: RouteDeps,
  log: FastifyBaseLogger,
  /** Counts one batch against the client's ingest limit (shared with HTTP). */
  countBatch: () => Promise<{ allowed: boolean; retryAfterSeconds: number }>,
): void {
  let authorized = false;
  let writer: SessionWriter | undefined;
  let inFlight = 0;
  services.metrics.socketOpened();
  const send = (msg: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
  };
  const fail = (err: unknown, firstSeq?: number, retryAfter?: number) => {
    const problem = problemFor(err, `ws:${sessionId}`);
    if (problem.status >= 500 && problem.status !== 503) log.error({ err }, 'ingest socket failure');
    // A socket has no Retry-After header: the hint travels in the message, in seconds, as over HTTP.
    const hint = retryAfter ?? (problem.status === 503 ? 2 : undefined);
    send({ type: 'error', ...(firstSeq !== undefined ? { firstSeq } : {}), ...(hint !== undefined ? { retryAfter: hint } : {}), problem });
    return problem;
  };
  const helloTimer = setTimeout(() => {
    if (!authorized) socket.close(4401, 'hello expected');
  }, HELLO_TIMEOUT_MS);
  // A silent authorised socket holds a connection for nothing: it is closed after socketIdleMs
  // without a message (the recorder reconnects when it has something to send).
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    if (!authorized) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => socket.close(4408, 'idle'), config.timeouts.socketIdleMs);
  };
  socket.on('close', () => {
    clearTimeout(helloTimer);
    clearTimeout(idleTimer);
    services.metrics.socketClosed();
  });

  /** The message's batch's firstSeq, when it names one: every answer about a batch carries it. */
  const firstSeqOf = (msg: { batch?: unknown }) => {
    const seq = (msg.batch as { firstSeq?: unknown } | undefined)?.firstSeq;
    return typeof seq === 'number' ? seq : undefined;
  };

  // Messages are taken one at a time in the order they arrived: a batch sent right after the hello
  // waits for the hello's answer instead of being refused, and batches reach the commit queue in the
  // order sent. Taking a batch means counting, checking and queueing it, not waiting for its commit,
  // so a socket still has up to MAX_IN_FLIGHT batches committing at once.
  let taking: Promise<void> = Promise.resolve();
  let waiting = 0;
  /** Settles once the batch taken before has entered the commit queue (or failed before it). */
  let entered: Promise<void> = Promise.resolve();

  socket.on('message', (raw, isBinary) => {
    touch();
    let msg: { type?: unknown; protocol?: unknown; token?: unknown; batch?: unknown };
    try {
      if (isBinary) throw new AppError('unsupported-media-type', 'send JSON text frames');
      const text = raw.toString();
      if (text.length > 4 * 1024 * 1024) throw new AppError('body-too-large');
      // The same parser as an HTTP body: a forbidden key (__proto__, constructor, prototype) is refused alike.
      msg = parseJsonBody(text) as typeof msg;
      if (typeof msg !== 'object' || msg === null) throw new AppError('invalid-request', 'a message must be a JSON object');
    } catch (err) {
      return fail(err);
    }
    const firstSeq = firstSeqOf(msg);
    // A client sending faster than its messages are taken is told, batch by batch, to send it again.
    if (waiting >= MAX_WAITING) return fail(new AppError('rate-limited', `at most ${MAX_WAITING} messages waiting per socket`), firstSeq, 1);
    waiting++;
    taking = taking
      .then(() => {
        waiting--;
        return take(msg, firstSeq);
      })
      .catch((err: unknown) => void fail(err, firstSeq));
  });

  async function take(msg: { type?: unknown; protocol?: unknown; token?: unknown; batch?: unknown }, firstSeq: number | undefined): Promise<void> {
    if (socket.readyState !== socket.OPEN) return; // closed (a refused hello): what waited is not taken
    if (!authorized) {
      if (msg.type !== 'hello') return void fail(new AppError('invalid-request', 'the first message must be {"type":"hello",…}'), firstSeq);
      if (msg.protocol !== INGEST_PROTOCOL) {
        fail(new AppError('invalid-request', `unsupported protocol ${String(msg.protocol)}; this server speaks ${INGEST_PROTOCOL}`));
        return socket.close(4400, 'unsupported protocol');
      }
      try {
        const actor = await authorize(access, sessionId, typeof msg.token === 'string' ? msg.token : undefined);
        if (actor.kind !== 'session-writer') throw new Error(`the ingest socket is declared access ${access}; it needs a writer`);
        writer = actor;
        const session = await services.sessions.get(writer.scope, sessionId);
        authorized = true;
        clearTimeout(helloTimer);
        touch();
        send({ type: 'ready', protocol: INGEST_PROTOCOL, ack: session.next_seq - 1, maxBatchEvents: LIMITS.batchEvents });
      } catch (err) {
        const problem = fail(err);
        // 1013 "try again later" when the database is away; 4401 when the token is wrong.
        if (problem.status === 503) socket.close(1013, 'database unavailable');
        else socket.close(4401, 'not authorized');
      }
      return;
    }

    if (msg.type !== 'batch') return void fail(new AppError('invalid-request', 'expected {"type":"batch","batch":{…}}'), firstSeq);
    // Counted before anything else, as an HTTP batch is counted before it is parsed.
    const limit = await countBatch();
    if (!limit.allowed) {
      return void fail(
        new AppError('rate-limited', `ingest limit reached for this client and session; retry after ${limit.retryAfterSeconds} s`),
        firstSeq,
        limit.retryAfterSeconds,
      );
    }
    if (!batchCheck.Check(msg.batch)) {
      const e = batchCheck.Errors(msg.batch).First();
      return void fail(new AppError('invalid-request', `/batch${e?.path ?? ''}: ${e?.message ?? 'invalid'}`), firstSeq);
    }
    if (inFlight >= MAX_IN_FLIGHT) return void fail(new AppError('rate-limited', `at most ${MAX_IN_FLIGHT} batches in flight per socket`), firstSeq, 1);
    inFlight++;
    // Checked (hash, MAC) alongside the batches before it, but queued for commit only after them.
    const prepared = services.ingest.prepare(writer!, msg.batch);
    prepared.catch(() => {}); // answered below, in its turn
    const queued = entered.then(() => prepared).then((p) => ({ committed: services.ingest.commit(p) }));
    entered = queued.then(
      () => {},
      () => {},
    );
    queued
      .then(({ committed }) => committed)
      .then(
        (r) => send({ type: 'ack', firstSeq, ack: r.ack, held: r.held, duplicate: r.duplicate }),
        (err: unknown) => void fail(err, firstSeq),
      )
      .finally(() => inFlight--);
  }
}
