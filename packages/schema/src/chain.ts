import { batchHash, batchMac, genesisHash, hexEqual, serverSealMac } from './hash';

export interface ChainBatch {
  firstSeq: number;
  events: readonly { seq: number }[];
  prevHash: string;
  hash: string;
  mac?: string | undefined;
  /** 'server': the server sealed it for a client that cannot hash, and its MAC is the server-sealed form. */
  sealedBy?: 'client' | 'server' | undefined;
}

export type ChainProblem =
  | { code: 'hash-mismatch'; index: number; firstSeq: number }
  | { code: 'broken-chain'; index: number; firstSeq: number }
  | { code: 'seq-gap'; index: number; firstSeq: number; expected: number }
  | { code: 'seq-mismatch'; index: number; firstSeq: number }
  | { code: 'bad-mac'; index: number; firstSeq: number }
  | { code: 'missing-mac'; index: number; firstSeq: number };

/** Builds the next batch of a chain: what the recorder does before it sends. */
export async function sealBatch<E extends { seq: number }>(
  events: E[],
  prevHash: string,
  macKey?: string,
): Promise<{ firstSeq: number; events: E[]; prevHash: string; hash: string; mac?: string }> {
  const first = events[0];
  if (!first) throw new RangeError('a batch needs at least one event');
  const hash = await batchHash(events, prevHash);
  const sealed = { firstSeq: first.seq, events, prevHash, hash };
  return macKey ? { ...sealed, mac: await batchMac(macKey, hash) } : sealed;
}

/** Checks that one batch's own fields agree: seqs run from firstSeq without gaps and the hash is right. */
export async function checkBatchSelf(b: ChainBatch, index = 0): Promise<ChainProblem | null> {
  for (let i = 0; i < b.events.length; i++) {
    if (b.events[i]!.seq !== b.firstSeq + i) return { code: 'seq-mismatch', index, firstSeq: b.firstSeq };
  }
  const expected = await batchHash(b.events, b.prevHash);
  if (!hexEqual(expected, b.hash)) return { code: 'hash-mismatch', index, firstSeq: b.firstSeq };
  return null;
}

/**
 * Re-checks a whole session chain from its genesis: contiguous seqs from 0, each hash right,
 * each prevHash the hash before it, and (with a mac key) each mac: given the key, a batch
 * without one fails too, or stripping the MACs would pass (docs/adr/0009-what-the-mac-proves.md).
 * A batch labelled `sealedBy: 'server'` is checked against the server-sealed MAC form (docs/adr/0024).
 */
export async function verifyChain(sessionId: string, batches: readonly ChainBatch[], macKey?: string): Promise<ChainProblem | null> {
  let prev = await genesisHash(sessionId);
  let nextSeq = 0;
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    if (b.firstSeq !== nextSeq) return { code: 'seq-gap', index: i, firstSeq: b.firstSeq, expected: nextSeq };
    if (!hexEqual(b.prevHash, prev)) return { code: 'broken-chain', index: i, firstSeq: b.firstSeq };
    const self = await checkBatchSelf(b, i);
    if (self) return self;
    if (macKey && b.mac === undefined) return { code: 'missing-mac', index: i, firstSeq: b.firstSeq };
    const expected = macKey ? await (b.sealedBy === 'server' ? serverSealMac : batchMac)(macKey, b.hash) : undefined;
    if (expected !== undefined && !hexEqual(expected, b.mac!)) {
      return { code: 'bad-mac', index: i, firstSeq: b.firstSeq };
    }
    prev = b.hash;
    nextSeq += b.events.length;
  }
  return null;
}
