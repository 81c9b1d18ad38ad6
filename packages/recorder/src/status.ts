import type { RecorderOptions, RecorderState, RecorderStatus } from './types';

/** How often, at most, the host hears about a growing queue: a status per keystroke would cost the page. */
const QUEUE_STATUS_MS = 150;

/**
 * The recorder's phase and reachability, and telling the host: at once when the state changes or the
 * queue empties, at most every 150 ms while events queue, and never the same status twice in a row.
 * It also holds the `flush()` callers waiting for the queue to empty.
 */
export class StatusTracker {
  phase: RecorderState = 'idle';
  online = true;
  private readonly waiters: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastKey = '';

  constructor(
    private readonly opts: RecorderOptions,
    private readonly read: () => RecorderStatus,
    /** The `queued` of `read()`, without building a whole status on every event. */
    private readonly queued: () => number,
  ) {}

  /** What the host sees: 'offline' is 'recording' while the server cannot be reached. */
  shownState(): RecorderState {
    return this.phase === 'recording' && !this.online ? 'offline' : this.phase;
  }

  notify(now = false): void {
    const q = this.queued();
    if (q === 0) this.releaseWaiters();
    if (!this.opts.onStatus) return;
    if (now || q === 0) return this.fire();
    this.timer ??= setTimeout(() => this.fire(), QUEUE_STATUS_MS);
  }

  /** Reachability changed (the sender's view): worth telling at once. */
  setOnline(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    this.notify(true);
  }

  /** Resolves once the queue is empty, or when waiting is pointless (the server refused for good). */
  whenSaved(): Promise<void> {
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  releaseWaiters(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.read();
    const key = `${s.state}|${s.queued}|${s.ack}|${s.sessionId}|${s.storage}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    try {
      this.opts.onStatus?.(s);
    } catch {
      /* the host's callback failing is not ours to throw */
    }
  }
}
