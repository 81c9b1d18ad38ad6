import { asTransportError, tellHost, transportFailure } from './errors';
import { Sender } from './sender';
import type { SessionStorage } from './session-storage';
import type { StatusTracker } from './status';
import type { SessionState } from './store';
import { createSession, endSession, httpChannel, wsChannel, type TransportError } from './transport';
import type { Batch, RecorderOptions } from './types';

/** What the link needs from the recorder core. */
export interface LinkHooks {
  /** The recorder is detached: stop retrying. */
  stopped(): boolean;
  fail(code: string, error: unknown): void;
  /** Batches can go out now: seal what is pending. */
  sealSoon(): void;
}

/**
 * Connected mode: the session at the server (created there unless the host brought one), the sender
 * that carries each stored batch until the server acknowledges it, and ending the session there.
 */
export class ServerLink {
  private sender: Sender | null = null;

  constructor(
    private readonly opts: RecorderOptions,
    private readonly storage: SessionStorage,
    private readonly tracker: StatusTracker,
    private readonly hooks: LinkHooks,
  ) {}

  /** Creates the session at the server if needed, then sends what is stored and all that follows. */
  async open(state: SessionState, stored: Batch[]): Promise<void> {
    if (!state.id) await this.create(state);
    if (this.hooks.stopped() || !state.id || !state.writeToken) return;
    const server = state.server ?? '';
    const channel = state.transport === 'websocket' ? wsChannel(server, state.id, state.writeToken) : httpChannel(server, state.id, state.writeToken);
    this.sender = new Sender(channel, state.ack, {
      onAck: (ack) => {
        state.ack = ack;
        if (!this.opts.keepBatches) this.storage.prune(ack).catch((e: unknown) => this.hooks.fail('storage', e));
        this.tracker.notify();
      },
      onNetwork: (online, err) => {
        if (err) this.report(err);
        this.tracker.setOnline(online);
      },
      onFatal: (err) => this.fatal(err),
    });
    this.sender.add(stored);
    this.hooks.sealSoon();
  }

  send(batch: Batch): void {
    this.sender?.add([batch]);
  }

  stop(): void {
    this.sender?.stop();
    this.sender = null;
  }

  /**
   * Ends the session at the server, retrying while it cannot be reached; a 409 means it has ended
   * already. False when the server refused for good: the session is then not ended here either.
   */
  async end(state: SessionState): Promise<boolean> {
    for (let attempt = 0; !this.hooks.stopped(); attempt++) {
      try {
        await endSession(state.server ?? '', state.id!, state.writeToken!);
        break;
      } catch (e) {
        const err = asTransportError(e);
        if (err.status === 409) break;
        this.report(err);
        if (!err.retryable) {
          this.fatal(err);
          return false;
        }
        await (this.sender?.sleep(attempt, err.retryAfterMs) ?? new Promise((r) => setTimeout(r, 1000)));
      }
    }
    return true;
  }

  /** Retried with backoff and jitter while the server cannot be reached; each failure is news for the host at once. */
  private async create(state: SessionState): Promise<void> {
    for (let attempt = 0; !state.id && !this.hooks.stopped(); attempt++) {
      try {
        const s = await createSession(state.server ?? '', state.kind, state.meta);
        state.id = s.id;
        state.writeToken = s.writeToken;
        await this.storage.put(state).catch((e: unknown) => this.hooks.fail('storage', e));
        this.tracker.online = true; // shown with the next acknowledged batch
      } catch (e) {
        const err = asTransportError(e);
        this.report(err);
        if (!err.retryable) return this.fatal(err);
        this.tracker.online = false;
        this.tracker.notify(true);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random() / 2)));
      }
    }
  }

  /** The server refused for good: say so, and release `flush()` callers, whose wait could no longer end. */
  private fatal(err: TransportError): void {
    this.tracker.phase = 'error';
    this.report(err);
    this.tracker.notify(true);
    this.tracker.releaseWaiters();
  }

  private report(err: TransportError): void {
    tellHost(this.opts, transportFailure(err));
  }
}
