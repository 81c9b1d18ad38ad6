import { lastSeq } from './session-state';
import { backoffMs } from './clock';
import { TransportError, type Channel } from './transport';
import type { Batch } from './types';

export interface SenderHooks {
  onAck(ack: number): void;
  onNetwork(online: boolean, error?: TransportError): void;
  onFatal(error: TransportError): void;
}

/**
 * Resends stored batches, in order, until the server acknowledges them: retryable failures (network,
 * 5xx, 429, Retry-After) wait with backoff and jitter; the browser going online wakes it at once.
 */
export class Sender {
  private outbox: Batch[] = [];
  private pumping = false;
  private active = true;
  private wakeUp: (() => void) | null = null;
  private readonly onOnline = () => this.wake();

  constructor(
    private readonly channel: Channel,
    private ack: number,
    private readonly hooks: SenderHooks,
  ) {
    if (typeof window !== 'undefined') window.addEventListener('online', this.onOnline);
  }

  add(batches: Batch[]): void {
    for (const b of batches) if (lastSeq(b) > this.ack) this.outbox.push(b);
    void this.pump();
  }

  stop(): void {
    this.active = false;
    this.wake();
    this.channel.close();
    if (typeof window !== 'undefined') window.removeEventListener('online', this.onOnline);
  }

  /** Waits with backoff, or until woken (online again, stopped). */
  sleep(attempt: number, retryAfterMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, backoffMs(attempt, retryAfterMs));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    let attempt = 0;
    try {
      while (this.active) {
        const batch = this.outbox[0];
        if (!batch) break;
        try {
          const ack = await this.channel.send(batch);
          if (ack > this.ack) {
            this.ack = ack;
            this.outbox = this.outbox.filter((b) => lastSeq(b) > ack);
            this.hooks.onAck(ack);
          }
          this.hooks.onNetwork(true);
          if (ack >= lastSeq(batch)) attempt = 0;
          // The server holds it but cannot count it yet (a gap before it): try again later.
          else await this.sleep(attempt++);
        } catch (e) {
          const err = e instanceof TransportError ? e : new TransportError(String(e), true, 0);
          if (!err.retryable) {
            // Resending cannot fix it: stop for good, and close the channel (a WebSocket used to stay open).
            this.stop();
            this.hooks.onFatal(err);
            break;
          }
          this.hooks.onNetwork(false, err);
          await this.sleep(attempt++, err.retryAfterMs);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}
