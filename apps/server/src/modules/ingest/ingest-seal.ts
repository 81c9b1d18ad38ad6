import { batchHash, serverSealMac, type IngestBatchBody, type VeritasEvent } from '@veritas/schema';
import type { Database } from '../../platform/db/database';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { AppError } from '../../kernel/errors';
import type { SessionWriter } from '../../kernel/actor';
import { findBatchPrevHash, findChainHead } from '../sessions';

/**
 * The sealing entry of ingest (docs/adr/0024-server-sealed-sessions.md). A batch is either sealed
 * by its client (prevHash, hash and mac: the only kind a client-sealed session takes, and a batch
 * without them is refused as missing-mac, ADR 0009) or, on a session created with sealing "server",
 * unsealed: the server chains it onto the stored head here and MACs it in the server-sealed form,
 * and from then on it is an ordinary batch (the group commit re-checks the head under the row lock).
 *
 * Unsealed batches go one at a time: one ahead of the stored head cannot be sealed (the hash it
 * follows is not known yet) and is refused with the seq to send; a retry of a stored batch is sealed
 * onto the prevHash stored for it, so the same events give the same hash (a duplicate) and others a conflict.
 */
export async function chainFieldsOf(
  database: Database,
  writer: SessionWriter,
  body: IngestBatchBody,
  events: readonly VeritasEvent[],
): Promise<{ prevHash: string; hash: string; mac?: string }> {
  const unsealed = body.prevHash === undefined && body.hash === undefined && body.mac === undefined;
  if (writer.sealing !== 'server') {
    if (unsealed)
      throw new AppError(
        'missing-mac',
        'this session was created client-sealed: send prevHash, hash and mac = HMAC-SHA256(SHA-256(write token), hash) with every batch (only a session created with sealing "server" takes unsealed batches)',
      );
    if (body.prevHash === undefined || body.hash === undefined)
      throw new AppError('invalid-request', `/body/${body.prevHash === undefined ? 'prevHash' : 'hash'}: a sealed batch carries both prevHash and hash`);
    return { prevHash: body.prevHash, hash: body.hash, ...(body.mac ? { mac: body.mac } : {}) };
  }
  if (!unsealed)
    throw new AppError('sealing-mismatch', 'this session was created with sealing "server": send firstSeq and events only, without prevHash, hash or mac');
  const head = await findChainHead(database.db, writer.sessionId).catch(rethrowUnavailable);
  if (!head) throw new AppError('not-found', `no session ${writer.sessionId}`);
  let prevHash = head.head_hash;
  if (body.firstSeq < head.next_seq) {
    const stored = await findBatchPrevHash(database.db, writer.sessionId, body.firstSeq).catch(rethrowUnavailable);
    // Not the start of a stored batch: it overlaps one, which the commit refuses as seq-conflict.
    if (stored !== undefined) prevHash = stored;
  } else if (body.firstSeq > head.next_seq) {
    throw new AppError(
      'seq-gap-unsealed',
      `the session holds up to seq ${head.next_seq - 1}: send the batch starting at ${head.next_seq} first (unsealed batches are sealed in order, one at a time)`,
      { expectedSeq: head.next_seq },
    );
  }
  const hash = await batchHash(events, prevHash);
  return { prevHash, hash, mac: await serverSealMac(writer.macKey, hash) };
}
