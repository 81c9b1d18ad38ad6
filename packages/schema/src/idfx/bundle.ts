import { BUNDLE_FORMAT } from '../version';
import type { Bundle } from '../bundle';
import type { Batch } from '../batch';
import { genesisHash } from '../hash';
import { sealBatch } from '../chain';
import { LIMITS } from '../limits';
import { sha256Hex } from '../hash';
import { fromIdfx, IdfxError } from './decode';

/**
 * An IDFX log as a v1 bundle: its events sealed into batches chained from the session's genesis hash,
 * as the recorder would have sent them. The session id is the log's own (a log Veritas wrote) or made
 * from the log's SHA-256, so importing the same file twice gives the same bundle; `createdAt` is the
 * log's, or the one given.
 */
export async function idfxToBundle(xml: string, opts: { exact?: boolean; createdAt?: string } = {}): Promise<Bundle> {
  const read = fromIdfx(xml, opts.exact === undefined ? {} : { exact: opts.exact });
  const id = read.session.id && /^[A-Za-z0-9_-]{16,64}$/.test(read.session.id) ? read.session.id : `idfx_${(await sha256Hex(xml)).slice(0, 32)}`;
  const createdAt = read.session.createdAt ?? opts.createdAt;
  if (!createdAt) throw new IdfxError('the log does not say when it was created: give createdAt');
  const batches: Batch[] = [];
  let prev = await genesisHash(id);
  for (let i = 0; i < read.events.length; i += LIMITS.batchEvents) {
    const b = await sealBatch(read.events.slice(i, i + LIMITS.batchEvents), prev);
    batches.push(b);
    prev = b.hash;
  }
  const meta = { ...(read.session.meta ?? {}), ...(read.capabilities ? { capabilities: { ...read.capabilities } } : {}) };
  const last = read.events.at(-1)!;
  return {
    format: BUNDLE_FORMAT,
    session: {
      id,
      kind: read.session.kind ?? 'writing',
      createdAt,
      endedAt: read.session.endedAt ?? new Date(Date.parse(createdAt) + Math.ceil(last.t)).toISOString(),
      ...(Object.keys(meta).length > 0 ? { meta } : {}),
    },
    batches,
  };
}
