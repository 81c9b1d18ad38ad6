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
 * event loop go out as one write at the end of it (every writer due is flushed by one
 * `setImmediate`). A viewer whose connection has not taken the last write (its socket is full: it
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

/** Writers with something to write this turn: flushed together, once, when the turn's I/O is done. */
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
  const writers = [...due];
  due.clear();
  for (const writer of writers) writer.flush();
}
