import { createHash, createHmac } from 'node:crypto';
import { hexEqual, type Batch, type VeritasEvent } from '@veritas/schema';

/** Why a batch's seal is refused: its own fields disagree (seqs or hash), or its MAC is absent or wrong. */
export type SealProblem = 'hash-mismatch' | 'missing-mac' | 'bad-mac';

/** A batch whose seal holds, with the canonical JSON of each event's data (what the database stores, parsed once more as jsonb). */
export interface SealChecked {
  problem: null;
  dataJson: (string | undefined)[];
}

/**
 * Checks a batch's seal on the server: seqs run from firstSeq without gaps, hash = SHA-256 of the
 * canonical JSON of { events, prevHash }, mac = HMAC-SHA256(hex-decoded mac key, hash). The same rules
 * as `checkBatchSelf` and `batchMac` of @veritas/schema (batch-seal.test.ts holds them to the same
 * answers), computed with node:crypto on the calling thread instead of WebCrypto: WebCrypto is
 * asynchronous, and each of its three calls per batch (digest, importKey, sign) went through the
 * thread pool and back, costing the server more than the hashing itself (bench/README.md, ingest).
 */
export function checkSeal(batch: Batch, macKeyHex: string): SealProblem | null {
  return checkSealOf(batch, macKeyHex).problem;
}

/**
 * `checkSeal`, keeping what it computed on the way: each event's data as canonical JSON, which is
 * also the text the commit sends to the database (so the data is serialised once per batch, not twice).
 */
export function checkSealOf(batch: Batch, macKeyHex: string): SealChecked | { problem: SealProblem } {
  for (let i = 0; i < batch.events.length; i++) if (batch.events[i]!.seq !== batch.firstSeq + i) return { problem: 'hash-mismatch' };
  const { text, dataJson } = canonicalBatch(batch.events, batch.prevHash);
  const hash = createHash('sha256').update(text, 'utf8').digest('hex');
  if (!hexEqual(hash, batch.hash)) return { problem: 'hash-mismatch' };
  if (!batch.mac) return { problem: 'missing-mac' };
  return hexEqual(macOf(macKeyHex, batch.hash), batch.mac) ? { problem: null, dataJson } : { problem: 'bad-mac' };
}

/** HMAC-SHA256 of a batch hash under a session's mac key (hex, as stored). */
export function macOf(macKeyHex: string, hash: string): string {
  return createHmac('sha256', Buffer.from(macKeyHex, 'hex')).update(hash, 'utf8').digest('hex');
}

/**
 * The bytes a batch's hash is over: `canonicalJson({ events, prevHash })` of @veritas/schema (RFC 8785),
 * written in one walk that also keeps each event's data as canonical JSON. It gives the same text as
 * the schema's `canonicalJson` for any value that JSON.parse can produce (batch-seal.test.ts compares
 * the two on generated values): keys sorted by UTF-16 code units, strings and numbers as
 * JSON.stringify writes them. Loops and `+=` instead of the library's reduce over template strings:
 * a CPU profile of the ingest bench put the canonical JSON among the server's largest costs per event.
 */
export function canonicalBatch(events: readonly VeritasEvent[], prevHash: string): { text: string; dataJson: (string | undefined)[] } {
  const dataJson = new Array<string | undefined>(events.length);
  let text = '{"events":[';
  try {
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as unknown as Record<string, unknown>;
      if (i > 0) text += ',';
      // An event's keys, sorted, with its data kept apart (seq, t, type and data, once validated; any others are hashed too).
      const keys = Object.keys(e).sort();
      text += '{';
      let first = true;
      for (const k of keys) {
        const v = e[k];
        if (v === undefined || typeof v === 'symbol') continue;
        const json = canonical(v);
        if (k === 'data') dataJson[i] = json;
        text += `${first ? '' : ','}${JSON.stringify(k)}:${json}`;
        first = false;
      }
      text += '}';
    }
  } catch (err) {
    // As canonicalJson: input nested deeper than the stack allows is refused, not a crash (validation keeps it out first).
    if (err instanceof RangeError) throw new TypeError('value is nested too deeply to canonicalize', { cause: err });
    throw err;
  }
  return { text: `${text}],"prevHash":${canonical(prevHash)}}`, dataJson };
}

/** RFC 8785 canonical JSON of one value, as the `canonicalize` package writes it. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(Number.isNaN(v) ? 'NaN is not allowed' : 'Infinity is not allowed');
    return JSON.stringify(v);
  }
  const o = v as Record<string, unknown> & { toJSON?: unknown };
  if (o.toJSON instanceof Function) return canonical((o.toJSON as () => unknown)());
  if (Array.isArray(o)) {
    let s = '[';
    for (let i = 0; i < o.length; i++) {
      const x: unknown = o[i];
      s += `${i === 0 ? '' : ','}${canonical(x === undefined || typeof x === 'symbol' ? null : x)}`;
    }
    return `${s}]`;
  }
  const keys = Object.keys(o).sort();
  let s = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined || typeof x === 'symbol') continue;
    s += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(x)}`;
    first = false;
  }
  return `${s}}`;
}
