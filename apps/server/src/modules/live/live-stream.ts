import type { VeritasEvent } from '@veritas/schema';
import type { Actor } from '../../kernel/actor';
import type { Scope } from '../../kernel/scope';
import type { LiveHub, Unsubscribe } from '../../platform/hub/live-hub';
import type { SessionsService } from '../sessions';
import type { LiveAccess } from './live-access';
import { sessionChannel } from './live.subscriptions';

/** Events read from the database per query while a viewer catches up. */
const PAGE = 1000;

/** Where a stream writes: the HTTP response, seen as little as the stream needs. */
export interface StreamSink {
  /** Writes a chunk; false when it had to be buffered (the viewer is not keeping up). */
  write(chunk: string): boolean;
  /** Bytes written and not yet taken by the viewer's connection. */
  readonly writableLength: number;
  /** Ends the response (idempotent); `abort` drops the connection with whatever it still holds. */
  end(abort: boolean): void;
  /** Called once when the connection goes away, whoever closed it. */
  onClose(listener: () => void): void;
}

export interface LiveStreamOptions {
  heartbeatMs: number;
  recheckMs: number;
  maxBufferedBytes: number;
}

export type CloseReason = 'ended' | 'client' | 'slow' | 'access' | 'error' | 'shutdown';

export interface LiveStreamDeps {
  sessions: SessionsService;
  hub: LiveHub;
  access: LiveAccess;
  now: () => Date;
  options: LiveStreamOptions;
  onClosed?: (reason: CloseReason, err?: unknown) => void;
}

/**
 * One viewer's stream of a session's committed events, as Server-Sent Events whose id is the seq.
 * The database is the record, the hub only a nudge: subscribed first, the stream reads what follows
 * the last seq it sent, then reads again on every hub message (and on every heartbeat, in case the
 * hub lost one); reads are serialised, so no event is sent twice or skipped. Nothing here waits on
 * ingest or makes ingest wait: a viewer whose unsent bytes pass the bound is dropped and resumes
 * from its last id. Every `recheckMs` the viewer's access is checked again; lost, the stream ends.
 */
export class LiveStream {
  private lastSent: number;
  private closed = false;
  private reading = false;
  private again = false;
  private checking = false;
  private unsubscribe: Unsubscribe | undefined;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly sink: StreamSink,
    private readonly target: { scope: Scope; sessionId: string; actor: Actor; after: number },
    private readonly deps: LiveStreamDeps,
  ) {
    this.lastSent = target.after;
    sink.onClose(() => this.stop('client'));
  }

  async start(): Promise<void> {
    const { options } = this.deps;
    // How long EventSource waits before reconnecting (with Last-Event-ID) after a drop.
    this.send('retry: 1000\n\n');
    const unsubscribe = await this.deps.hub.subscribe(sessionChannel(this.target.sessionId), () => this.pull());
    if (this.closed) return unsubscribe();
    this.unsubscribe = unsubscribe;
    this.timers.push(
      setInterval(() => {
        this.send(': heartbeat\n\n');
        this.pull();
      }, options.heartbeatMs),
      setInterval(() => void this.recheck(), options.recheckMs),
    );
    this.pull();
  }

  /** Reads what follows the last sent seq; a read asked for while one runs runs once after it. */
  private pull(): void {
    if (this.closed) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.readOnce();
        } while (this.again && !this.closed);
      } catch (err) {
        // A session deleted (or out of reach) while watched ends the stream like lost access.
        this.stop((err as { code?: unknown }).code === 'not-found' ? 'access' : 'error', err);
      } finally {
        this.reading = false;
      }
    })();
  }

  private async readOnce(): Promise<void> {
    const { sessions } = this.deps;
    const { scope, sessionId } = this.target;
    // The status before the events: an ended session has all its events stored, so an end read
    // first means every event the loop reads below is the last of them.
    const session = await sessions.get(scope, sessionId);
    for (;;) {
      if (this.closed) return;
      const page = await sessions.events(scope, sessionId, this.lastSent, PAGE);
      if (this.closed) return;
      if (page.length > 0) {
        this.send(page.map(frame).join(''));
        this.lastSent = page[page.length - 1]!.seq;
      }
      if (this.closed || page.length < PAGE) break;
    }
    if (session.status === 'ended' && !this.closed) {
      this.send(`event: end\ndata: ${JSON.stringify({ lastSeq: this.lastSent })}\n\n`);
      this.stop('ended');
    }
  }

  private async recheck(): Promise<void> {
    // One check at a time: a slow database does not pile them up.
    if (this.closed || this.checking) return;
    this.checking = true;
    try {
      if (!(await this.deps.access.stillReads(this.target.actor, this.target.sessionId, this.deps.now()))) this.stop('access');
    } catch (err) {
      // Unable to tell (the database is away): the viewer reconnects and is checked again then.
      this.stop('error', err);
    } finally {
      this.checking = false;
    }
  }

  private send(chunk: string): void {
    if (this.closed) return;
    this.sink.write(chunk);
    if (this.sink.writableLength > this.deps.options.maxBufferedBytes) this.stop('slow');
  }

  /** Ends the stream from outside (the server shutting down: the viewer resumes elsewhere from its id). */
  close(): void {
    this.stop('shutdown');
  }

  private stop(reason: CloseReason, err?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe?.();
    this.sink.end(reason === 'slow');
    this.deps.onClosed?.(reason, err);
  }
}

/** One event as an SSE message: its seq is the id a reconnecting viewer resumes after. */
const frame = (e: VeritasEvent): string => `id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;
