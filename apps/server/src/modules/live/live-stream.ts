import type { Actor } from '../../kernel/actor';
import type { Scope } from '../../kernel/scope';
import type { LiveHub } from '../../platform/hub/live-hub';
import type { SessionsService } from '../sessions';
import type { LiveAccess } from './live-access';
import { CoalescingWriter, type WritableSink } from './coalescing-writer';
import { feedsOf, frame, PAGE, type FeedMember, type FeedPage, type SharedAccessCheck } from './session-feed';

/** Where a stream writes: the HTTP response, seen as little as the stream needs. */
export interface StreamSink extends WritableSink {
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
 * The database is the record, the hub only a nudge. The stream joins its session's feed (one per
 * session and instance: one hub subscription, one read per nudge for every viewer), then reads what
 * follows its own last seq by itself; from then on it takes the feed's pages that follow what it
 * has, and reads for itself again whenever a page does not (it was still catching up, or fell
 * behind). Its reads are serialised and every page is cut at its last seq, so no event is sent
 * twice or skipped. Writes go through a coalescing writer: what a viewer that falls behind is owed
 * goes out in one write once its socket empties. Nothing here waits on ingest or makes ingest wait:
 * a viewer whose unsent bytes pass the bound is dropped and resumes from its last id. Every
 * `recheckMs` the viewer's access is checked again; lost, the stream ends.
 */
export class LiveStream implements FeedMember {
  private sent: number;
  private closed = false;
  private reading = false;
  private again = false;
  private checking = false;
  private leave: (() => void) | undefined;
  private sharedCheck: SharedAccessCheck | undefined;
  private readonly writer: CoalescingWriter;

  constructor(
    private readonly sink: StreamSink,
    private readonly target: { scope: Scope; sessionId: string; actor: Actor; after: number },
    private readonly deps: LiveStreamDeps,
  ) {
    this.sent = target.after;
    this.writer = new CoalescingWriter(sink, deps.options.maxBufferedBytes, () => this.stop('slow'));
    sink.onClose(() => this.stop('client'));
  }

  async start(): Promise<void> {
    const { options, sessions, hub } = this.deps;
    // How long EventSource waits before reconnecting (with Last-Event-ID) after a drop.
    this.writer.write('retry: 1000\n\n');
    // The feed's timers write this stream's heartbeats and check its access: no timer per viewer.
    const joined = await feedsOf({ sessions, hub, heartbeatMs: options.heartbeatMs, recheckMs: options.recheckMs }).join(
      this.target.scope,
      this.target.sessionId,
      this,
    );
    if (this.closed) return joined.leave();
    this.leave = joined.leave;
    this.sharedCheck = joined.stillReads;
    this.catchUp();
  }

  /** The last seq sent to the viewer. */
  get lastSent(): number {
    return this.sent;
  }

  heartbeat(): void {
    this.writer.write(': heartbeat\n\n');
  }

  offer(page: FeedPage): void {
    if (this.closed) return;
    // Reading for itself: that read, or the one after it, covers the page.
    if (this.reading) return void (this.again = true);
    // Behind the page (events between what it has and the page): read them for itself.
    if (this.lastSent < page.after) return this.catchUp();
    const { seqs, frames } = page;
    let i = 0;
    while (i < seqs.length && seqs[i]! <= this.lastSent) i++;
    if (i === seqs.length) return;
    // The whole page (the common case) is one buffer shared by every viewer: nothing joined per viewer.
    if (i === 0) this.writer.write(page.whole);
    else for (let j = i; j < frames.length; j++) this.writer.write(frames[j]!);
    this.sent = seqs[seqs.length - 1]!;
  }

  offerEnd(lastSeq: number): void {
    if (this.closed) return;
    if (this.reading || this.lastSent < lastSeq) return this.catchUp();
    this.sendEnd();
  }

  /** Reads what follows the last sent seq; a read asked for while one runs runs once after it. */
  catchUp(): void {
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
        this.writer.write(page.map(frame).join(''));
        this.sent = page[page.length - 1]!.seq;
      }
      if (this.closed || page.length < PAGE) break;
    }
    if (session.status === 'ended') this.sendEnd();
  }

  private sendEnd(): void {
    if (this.closed) return;
    this.writer.write(`event: end\ndata: ${JSON.stringify({ lastSeq: this.lastSent })}\n\n`);
    // What is pending goes out before the response ends.
    this.writer.finish();
    this.stop('ended');
  }

  recheck(): void {
    void this.checkAccess();
  }

  private async checkAccess(): Promise<void> {
    // One check at a time: a slow database does not pile them up.
    if (this.closed || this.checking || !this.sharedCheck) return;
    this.checking = true;
    const { actor, sessionId } = this.target;
    try {
      if (!(await this.sharedCheck(JSON.stringify(actor), () => this.deps.access.stillReads(actor, sessionId, this.deps.now())))) this.stop('access');
    } catch (err) {
      // Unable to tell (the database is away): the viewer reconnects and is checked again then.
      this.stop('error', err);
    } finally {
      this.checking = false;
    }
  }

  /** Ends the stream from outside (the server shutting down: the viewer resumes elsewhere from its id). */
  close(): void {
    this.stop('shutdown');
  }

  private stop(reason: CloseReason, err?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.leave?.();
    if (reason !== 'ended') this.writer.discard();
    this.sink.end(reason === 'slow');
    this.deps.onClosed?.(reason, err);
  }
}
