import { genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';

/** Events for tests: a writing session typing `text` one character at a time. */
export function typingEvents(text: string, fromSeq = 0, fromT = 0): VeritasEvent[] {
  return [...text].map((ch, i) => ({
    seq: fromSeq + i,
    t: fromT + i * 120,
    type: 'text.op',
    data: { pos: fromSeq + i, del: 0, ins: ch, cause: 'type', trusted: true },
  }));
}

export interface SealedBatch {
  firstSeq: number;
  events: VeritasEvent[];
  prevHash: string;
  hash: string;
  mac?: string;
}

/** Splits events into sealed, chained batches of `size`, with MACs when a write token is given. */
export async function chainBatches(sessionId: string, events: VeritasEvent[], size: number, writeToken?: string): Promise<SealedBatch[]> {
  const key = writeToken ? await macKeyFromToken(writeToken) : undefined;
  let prev = await genesisHash(sessionId);
  const out: SealedBatch[] = [];
  for (let i = 0; i < events.length; i += size) {
    const b = await sealBatch(events.slice(i, i + size), prev, key);
    out.push(b);
    prev = b.hash;
  }
  return out;
}
