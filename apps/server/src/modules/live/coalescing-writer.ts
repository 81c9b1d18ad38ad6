/** Where a writer writes: the HTTP response, seen as little as it needs. */
export interface WritableSink {
  /** Writes a chunk; false when it had to be buffered (the viewer is not keeping up). */
  write(chunk: string | Uint8Array): boolean;
  /** Bytes written and not yet taken by the viewer's connection. */
  readonly writableLength: number;
}

/** How long a writer whose viewer is behind waits before looking again (no 'drain' event is needed). */
const HELD_RETRY_MS = 25;

/**
 * What a viewer is owed, written in as few writes as possible. Chunks written in one turn of the
 * event loop go out as one write after it (the writers due are flushed by a `setImmediate`, for at
 * most `FLUSH_TURN_MS` a turn). A viewer whose connection has not taken the last write (its socket is full: it
 * is behind) is not written to at all: what it is owed piles up here and goes out as one write once
 * the socket has emptied. So the cost of a viewer that falls behind is one write per catch-up, not
 * one per message, and the server's writes per second stop growing with the message rate. Bytes
 * held here count towards the viewer's bound: past it, `onOverflow` (the stream drops the viewer,
 * who resumes from its last id).
 */
export class CoalescingWriter {
  private pending: (string | Uint8Array)[] = [];
  private pendingBytes = 0;
  private held: NodeJS.Timeout | undefined;
  private done = false;
  /** Writes made to the sink, and chunks handed to this writer (for tests and benchmarks). */
  writes = 0;
  chunks = 0;

  constructor(
    private readonly sink: WritableSink,
    private readonly maxBufferedBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  write(chunk: string | Uint8Array): void {
    if (this.done) return;
    this.pending.push(chunk);
    this.chunks++;
    this.pendingBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    // Only a viewer that is behind can overflow: one large page to a reader that keeps up is fine.
    if (this.sink.writableLength > 0 && this.sink.writableLength + this.pendingBytes > this.maxBufferedBytes) return this.overflow();
    if (!this.held) flushSoon(this);
  }

  /** Writes what is pending as one chunk, unless the viewer's socket still holds the last write. */
  flush(): void {
    if (this.done || this.pending.length === 0) return;
    if (this.sink.writableLength > 0) {
      this.held ??= setTimeout(() => {
        this.held = undefined;
        this.flush();
      }, HELD_RETRY_MS);
      return;
    }
    const chunk = this.pending.length === 1 ? this.pending[0]! : join(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.writes++;
    this.sink.write(chunk);
    if (this.sink.writableLength > this.maxBufferedBytes) this.overflow();
  }

  /** Writes what is pending now, whatever the socket holds, and stops (the stream ends normally). */
  finish(): void {
    if (this.done) return;
    if (this.pending.length > 0) {
      this.writes++;
      this.sink.write(this.pending.length === 1 ? this.pending[0]! : join(this.pending));
    }
    this.discard();
  }

  /** Stops writing and drops what is pending (the stream is closing). */
  discard(): void {
    this.done = true;
    if (this.held) clearTimeout(this.held);
    this.held = undefined;
    this.pending = [];
    this.pendingBytes = 0;
    due.delete(this);
  }

  private overflow(): void {
    this.discard();
    this.onOverflow();
  }
}

function join(chunks: (string | Uint8Array)[]): string | Uint8Array {
  if (chunks.every((c) => typeof c === 'string')) return (chunks as string[]).join('');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
}

/**
 * The longest one turn of the event loop spends writing to viewers. Ten thousand viewers of a
 * session are ten thousand socket writes (tens of milliseconds): done in one turn, every commit
 * waiting on the database in the meantime (a publisher's next batch, each of its round trips) waits
 * for all of them. Past this budget the rest are written in the next turn, after the I/O that came
 * in; what they are owed meanwhile joins their next write.
 */
export const FLUSH_TURN_MS = 2;

/** Writers with something to write: flushed together when the turn's I/O is done, a budget's worth a turn. */
const due = new Set<CoalescingWriter>();
let scheduled = false;

function flushSoon(writer: CoalescingWriter): void {
  due.add(writer);
  if (scheduled) return;
  scheduled = true;
  setImmediate(flushDue);
}

function flushDue(): void {
  scheduled = false;
  const deadline = performance.now() + FLUSH_TURN_MS;
  // In the order they became due (a Set iterates in insertion order and allows deleting as it goes).
  for (const writer of due) {
    due.delete(writer);
    writer.flush();
    if (performance.now() >= deadline) break;
  }
  if (due.size > 0) {
    scheduled = true;
    setImmediate(flushDue);
  }
}
