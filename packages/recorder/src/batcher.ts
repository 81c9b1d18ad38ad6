import { LIMITS, genesisHash, macKeyFromToken, sealBatch } from '@veritas/schema/chain';
import { adoptBatchState, stateAfterBatch } from './session-state';
import type { SessionState } from './store';
import type { Batch, EventDataOf, RecorderOptions, VeritasEvent } from './types';

/** What the batcher seals into, and tells about each stored batch. */
export interface BatchTarget {
  /** The session being recorded; null before the first start. */
  session(): SessionState | null;
  /** The copy/cut hashes so far, kept with each batch so a resumed session still knows internal pastes. */
  clipHashes(): string[];
  /** Stores a batch with the state after it, in one transaction. */
  commit(state: SessionState, batch: Batch): Promise<void>;
  /** A batch is stored: now it can be sent. */
  sealed(batch: Batch): void;
  /** The recorder is detached: stop sealing. */
  stopped(): boolean;
  fail(code: string, error: unknown): void;
}

/**
 * Numbers events and seals them into batches every `batchMs` or `batchEvents`: each batch is chained
 * to the last (and MACed with the write key) and stored before it is handed on, one sealing at a time.
 */
export class EventBatcher {
  /** The seq of the next event. */
  seq = 0;
  /** Events not yet committed to the store (a reload spills them to localStorage). */
  unsealed: VeritasEvent[] = [];
  private sealing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly batchMs: number;
  private readonly batchEvents: number;

  constructor(
    opts: RecorderOptions,
    private readonly target: BatchTarget,
  ) {
    this.batchMs = opts.batchMs ?? 2000;
    this.batchEvents = Math.max(1, Math.min(opts.batchEvents ?? 200, LIMITS.batchEvents));
  }

  add<K extends VeritasEvent['type']>(type: K, data: EventDataOf<K>, t: number): void {
    this.unsealed.push({ seq: this.seq++, t, type, data } as VeritasEvent);
    if (this.unsealed.length >= this.batchEvents) this.schedule(0);
    else if (!this.timer) this.schedule(this.batchMs);
  }

  /** Seals after `delay` ms, replacing any sealing already scheduled. */
  schedule(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.seal();
    }, delay);
  }

  /** Seals every pending event into stored batches, one sealing at a time. */
  seal(): Promise<void> {
    this.sealing = this.sealing.then(() => this.sealAll()).catch((e: unknown) => this.target.fail('storage', e));
    return this.sealing;
  }

  /** Drops the scheduled sealing; what is pending stays for an explicit `seal()` or the spill. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Connected sessions wait for their id (the chain starts from it) before sealing anything. */
  private async sealAll(): Promise<void> {
    const target = this.target;
    const state = target.session();
    while (state && state.id && this.unsealed.length > 0 && !target.stopped()) {
      const events = this.unsealed.slice(0, Math.min(this.unsealed.length, LIMITS.batchEvents));
      const prev = state.lastHash ?? (await genesisHash(state.id));
      // Every batch of a session with a write token carries its MAC (the server refuses one
      // without): the key comes from the session itself, so no batch sealed between the
      // session's creation (or resumption) and the link's start can miss it.
      const key = state.writeToken ? await macKeyFromToken(state.writeToken) : undefined;
      const batch = (await sealBatch(events, prev, key)) as Batch;
      const next = stateAfterBatch(state, events, batch, target.clipHashes());
      await target.commit(next, batch);
      adoptBatchState(state, next);
      this.unsealed.splice(0, events.length);
      target.sealed(batch);
    }
  }
}
