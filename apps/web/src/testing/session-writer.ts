/**
 * A session's batches sent as its recorder sends them (Node only, never bundled): chained from the
 * genesis hash, each sealed with the write token's MAC and committed before the next, numbered on.
 */
import { genesisHash, macKeyFromToken, sealBatch, type Batch, type VeritasEvent } from '@veritas/schema';

export class SessionWriter {
  private prev: string | undefined;
  private next = 0;

  constructor(
    /** The server's base URL, read at each send (a restarted server keeps its URL). */
    private readonly base: () => string,
    readonly sessionId: string,
    private readonly writeToken: string,
  ) {}

  /** Sends the events as one batch; their seqs are renumbered from where the last batch ended. */
  async send(events: VeritasEvent[]): Promise<void> {
    this.prev ??= await genesisHash(this.sessionId);
    const batch: Batch = await sealBatch(
      events.map((e, i) => ({ ...e, seq: this.next + i })),
      this.prev,
      await macKeyFromToken(this.writeToken),
    );
    const res = await fetch(`${this.base()}/v1/sessions/${this.sessionId}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.writeToken}` },
      body: JSON.stringify(batch),
    });
    if (res.status !== 200) throw new Error(`batch: ${res.status} ${await res.text()}`);
    this.prev = batch.hash;
    this.next += events.length;
  }
}

/** The text that text ops build, applied in order from empty. */
export const textOf = (events: readonly VeritasEvent[]): string =>
  events.reduce((t, e) => (e.type === 'text.op' ? t.slice(0, e.data.pos) + e.data.ins + t.slice(e.data.pos + e.data.del) : t), '');
