import { BUNDLE_FORMAT, genesisHash, sealBatch, type Batch, type Bundle, type VeritasEvent } from '@veritas/schema';
import type { SimSession } from './simulate';

export interface BatchOptions {
  /** Events per batch (default 200; the schema allows up to 1000). */
  batchSize?: number;
  /** Mac key (hex) to sign each batch with, as the recorder does with its write token. */
  macKey?: string;
}

/** Cuts events into sealed batches that chain from the session's genesis hash, as the recorder sends them. */
export async function toBatches(events: readonly VeritasEvent[], sessionId: string, opts: BatchOptions = {}): Promise<Batch[]> {
  const size = Math.max(1, Math.min(1000, opts.batchSize ?? 200));
  const out: Batch[] = [];
  let prev = await genesisHash(sessionId);
  for (let i = 0; i < events.length; i += size) {
    const b = await sealBatch(events.slice(i, i + size), prev, opts.macKey);
    out.push(b);
    prev = b.hash;
  }
  return out;
}

export interface BundleOptions extends BatchOptions {
  /** Session id (default `sim_<kind>_<seed>`); 16 to 64 of [A-Za-z0-9_-]. */
  sessionId?: string;
  /** ISO date-time the session started; passed in, never read from the clock (default 2025-01-01). */
  createdAt?: string;
}

export function simSessionId(sim: Pick<SimSession, 'kind' | 'seed'>): string {
  return `sim_${sim.kind.replace(/[^a-z]/g, '')}_${sim.seed.toString(36).padStart(8, '0')}`;
}

/** A v1 bundle of the simulated session, chain included: what `veritas analyze` and the viewer open. */
export async function toBundle(sim: SimSession, opts: BundleOptions = {}): Promise<Bundle> {
  const id = opts.sessionId ?? simSessionId(sim);
  const createdAt = opts.createdAt ?? '2025-01-01T00:00:00.000Z';
  const last = sim.events[sim.events.length - 1];
  const endedAt = new Date(Date.parse(createdAt) + Math.ceil(last ? last.t : 0)).toISOString();
  return {
    format: BUNDLE_FORMAT,
    session: {
      id,
      kind: sim.sessionKind,
      createdAt,
      endedAt,
      meta: { title: `Simulated ${sim.kind} session (seed ${sim.seed})`, labels: { simulator: sim.kind } },
    },
    batches: await toBatches(sim.events, id, opts),
  };
}
