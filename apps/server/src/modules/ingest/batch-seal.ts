import { createHash, createHmac } from 'node:crypto';
import { canonicalJson, hexEqual, type Batch } from '@veritas/schema';

/** Why a batch's seal is refused: its own fields disagree (seqs or hash), or its MAC is absent or wrong. */
export type SealProblem = 'hash-mismatch' | 'missing-mac' | 'bad-mac';

/**
 * Checks a batch's seal on the server: seqs run from firstSeq without gaps, hash = SHA-256 of the
 * canonical JSON of { events, prevHash }, mac = HMAC-SHA256(hex-decoded mac key, hash). The same rules
 * as `checkBatchSelf` and `batchMac` of @veritas/schema (batch-seal.test.ts holds them to the same
 * answers), computed with node:crypto on the calling thread instead of WebCrypto: WebCrypto is
 * asynchronous, and each of its three calls per batch (digest, importKey, sign) went through the
 * thread pool and back, costing the server more than the hashing itself (bench/README.md, ingest).
 * The canonical JSON is still @veritas/schema's, so the bytes hashed are the ones the recorder hashed.
 */
export function checkSeal(batch: Batch, macKeyHex: string): SealProblem | null {
  for (let i = 0; i < batch.events.length; i++) if (batch.events[i]!.seq !== batch.firstSeq + i) return 'hash-mismatch';
  const hash = createHash('sha256')
    .update(canonicalJson({ events: batch.events, prevHash: batch.prevHash }), 'utf8')
    .digest('hex');
  if (!hexEqual(hash, batch.hash)) return 'hash-mismatch';
  if (!batch.mac) return 'missing-mac';
  return hexEqual(macOf(macKeyHex, batch.hash), batch.mac) ? null : 'bad-mac';
}

/** HMAC-SHA256 of a batch hash under a session's mac key (hex, as stored). */
export function macOf(macKeyHex: string, hash: string): string {
  return createHmac('sha256', Buffer.from(macKeyHex, 'hex')).update(hash, 'utf8').digest('hex');
}
