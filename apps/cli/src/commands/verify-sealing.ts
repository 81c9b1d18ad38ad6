import type { Batch } from '@veritas/schema';

/** Consecutive batches with the same sealer, as seq ranges. */
interface Run {
  sealedBy: 'client' | 'server';
  batches: number;
  firstSeq: number;
  lastSeq: number;
}

function runsOf(batches: readonly Batch[]): Run[] {
  const runs: Run[] = [];
  for (const b of batches) {
    const sealedBy = b.sealedBy === 'server' ? 'server' : 'client';
    const lastSeq = b.firstSeq + b.events.length - 1;
    const last = runs[runs.length - 1];
    if (last && last.sealedBy === sealedBy) {
      last.batches++;
      last.lastSeq = lastSeq;
    } else runs.push({ sealedBy, batches: 1, firstSeq: b.firstSeq, lastSeq });
  }
  return runs;
}

/**
 * Which batches of a bundle were sealed by whom (docs/adr/0024-server-sealed-sessions.md), one
 * line per run of batches: a client-sealed batch was hashed and MACed by the writer (its own tamper
 * evidence); a server-sealed one was chained by the server for a client that cannot hash, so its
 * MAC shows only that nobody without the key changed it after the server received it.
 */
export function sealingReport(batches: readonly Batch[], macsChecked: boolean): string[] {
  if (batches.length === 0) return ['sealed: no batches'];
  return runsOf(batches).map((r) => {
    const span = `batch${r.batches === 1 ? '' : 'es'}, seq ${r.firstSeq}–${r.lastSeq}`;
    return r.sealedBy === 'client'
      ? `client-sealed: ${r.batches} ${span} (hashed and MACed by the writer${macsChecked ? ', MACs checked' : ''})`
      : `server-sealed: ${r.batches} ${span} (chained by the server for a client that cannot hash: no tamper evidence of the client's own${macsChecked ? '; server MACs checked' : ''})`;
  });
}
