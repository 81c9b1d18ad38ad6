import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { LIMITS, batchHash, type VeritasEvent } from '@veritas/schema';
import { AppError } from '../../kernel/errors';
import { parseJsonBody } from '../json-body';

/**
 * The compact batch (ADR 0025): the same batch as `application/json`, written shorter for the wire.
 * It decodes to exactly the events that were sealed, so the hash chain and the MAC are checked on
 * them as on any batch: the encoding is transport only and nothing of it is stored.
 */
export const BATCH_MEDIA_TYPE = 'application/vnd.veritas.batch+json';

/** Codes, their event type and field order (the recorder's encoder holds the same table). */
const ROWS: Record<string, { type: string; fields: readonly string[] }> = {
  k: { type: 'key', fields: ['class', 'hold', 'trusted'] },
  o: { type: 'text.op', fields: ['pos', 'del', 'ins', 'cause', 'trusted'] },
  q: { type: 'text.op', fields: ['pos', 'del', 'ins', 'cause'] },
  s: { type: 'selection', fields: ['start', 'end'] },
};

const BODY_KEYS = new Set(['v', 'f', 'p', 'h', 'm', 'c', 't', 'i', 'x', ...Object.keys(ROWS)]);

function bad(detail: string): AppError {
  return new AppError('invalid-request', `/body: not a compact batch (${detail})`);
}

const isInt = (x: unknown): x is number => Number.isSafeInteger(x);

/**
 * `{ v: 1, f: firstSeq, p: prevHash, h?: hash, m?: mac, c, t, i, x, <code>: columns }` back into the
 * batch. `c` holds one code per event; seq is `firstSeq` + the event's index, t the running sum of
 * `t` in tenths of a millisecond (plus, for a key, its hold, also in tenths). Each code has one column per field of its event type; a
 * text.op's `pos` is its distance from where the previous text.op ended and its `ins` a length
 * taken from `i` (the inserted texts end to end). Code `x` takes `[type, data]` from `x`. What it
 * yields is then validated as any batch body (BatchBody, then each event's type), and its hash and
 * MAC checked on these events.
 */
export async function decodeBatchBody(text: string): Promise<unknown> {
  const body = parseJsonBody(text) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('not an object');
  for (const k of Object.keys(body)) if (!BODY_KEYS.has(k)) throw bad(`unknown field "${k}"`);
  const { v, f, c, t, i = '', x = [] } = body;
  if (v !== 1) throw bad('v must be 1');
  if (!isInt(f) || f < 0) throw bad('f must be the first seq');
  if (typeof c !== 'string' || !Array.isArray(t) || t.length !== c.length) throw bad('c and t must have one entry per event');
  // Checked before any event is built: a body within its byte limit cannot make the decoder build more than a batch may hold.
  if (c.length > LIMITS.batchEvents) throw bad(`at most ${LIMITS.batchEvents} events`);
  if (typeof i !== 'string' || !Array.isArray(x)) throw bad('i must be a string and x an array');
  const cols: Record<string, unknown[][]> = {};
  for (const [code, shape] of Object.entries(ROWS)) {
    const col = body[code] ?? shape.fields.map(() => []);
    if (!Array.isArray(col) || col.length !== shape.fields.length || !col.every(Array.isArray)) throw bad(`${code} must hold ${shape.fields.length} columns`);
    cols[code] = col as unknown[][];
  }
  const taken: Record<string, number> = { x: 0, k: 0, o: 0, q: 0, s: 0 };
  let tenths = 0;
  let caret = 0;
  let at = 0;
  const events = [];
  for (let n = 0; n < c.length; n++) {
    const code = c[n]!;
    const dt = t[n];
    if (!isInt(dt)) throw bad(`t[${n}] must be an integer`);
    tenths += dt;
    const head: { seq: number; t: number } = { seq: f + n, t: tenths / 10 };
    if (code === 'x') {
      const e = x[taken.x!++];
      if (!Array.isArray(e) || e.length !== 2) throw bad(`x has no [type, data] for event ${n}`);
      events.push({ ...head, type: e[0], data: e[1] });
      continue;
    }
    const shape = ROWS[code];
    if (!shape) throw bad(`unknown code "${code}"`);
    const k = taken[code]!++;
    const data: Record<string, unknown> = {};
    shape.fields.forEach((name, j) => {
      const col = cols[code]![j]!;
      if (k >= col.length) throw bad(`column ${code}[${j}] is short`);
      data[name] = col[k];
    });
    if (shape.type === 'key') {
      // The hold is in tenths of a millisecond, and the key's time was written less its hold.
      if (!isInt(data.hold)) throw bad(`key ${n}`);
      tenths += data.hold;
      head.t = tenths / 10;
      data.hold = data.hold / 10;
    } else if (shape.type === 'text.op') {
      const len = data.ins;
      if (!isInt(data.pos) || !isInt(len) || len < 0 || at + len > i.length) throw bad(`text.op ${n}`);
      data.pos = caret + data.pos;
      data.ins = i.slice(at, at + len);
      at += len;
      caret = (data.pos as number) + len;
    }
    events.push({ ...head, type: shape.type, data });
  }
  for (const [code, n] of Object.entries(taken))
    if ((code === 'x' ? x.length : cols[code]![0]!.length) !== n || (code !== 'x' && cols[code]!.some((col) => col.length !== n)))
      throw bad(`${code} holds more than c names`);
  if (at !== i.length) throw bad('i holds more than the text.ops insert');
  // Without `h`, the hash is computed here, as the chain defines it, from the events and prevHash: the
  // chain check then holds by construction, and the MAC (checked over this hash) is what vouches for
  // the batch (ADR 0009). A wrong prevHash or a changed event still fails, as a wrong MAC.
  const hash = body.h ?? (typeof body.p === 'string' ? await batchHash(events as VeritasEvent[], body.p) : undefined);
  const out: Record<string, unknown> = { firstSeq: f, events, prevHash: body.p, hash };
  if (body.m !== undefined) out.mac = body.m;
  return out;
}

/**
 * Passes on what the gunzip yields and, once past `limit` bytes, stops it: Fastify's body limit sees
 * the excess and answers 413, and a small body that inflates without end (a zip bomb) costs no
 * more than the limit.
 */
class Inflated extends Transform {
  private seen = 0;
  receivedEncodedLength = 0;
  constructor(
    private readonly limit: number,
    private readonly onOver: () => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    done(null, chunk);
    if (this.seen > this.limit) this.onOver();
  }
}

/**
 * The body decodings the API accepts beside plain JSON: the compact batch media type, and
 * `Content-Encoding: gzip` on any body. The route's body limit applies to the decompressed body;
 * any other content coding is refused (415).
 */
export function installBatchEncoding(app: FastifyInstance): void {
  app.addContentTypeParser(BATCH_MEDIA_TYPE, { parseAs: 'string' }, async (_req: unknown, body: string | Buffer) => decodeBatchBody(body as string));
  app.addHook('preParsing', async (req, _reply, payload) => {
    const coding = req.headers['content-encoding']?.trim().toLowerCase();
    if (!coding || coding === 'identity') return payload;
    if (coding !== 'gzip') throw new AppError('unsupported-media-type', `/headers/content-encoding: only gzip is accepted, not "${coding}"`);
    const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const gunzip = createGunzip();
    // Stops inflating at once, and reads the rest of the request without keeping it (the answer comes after).
    const stop = () => {
      payload.unpipe(gunzip);
      gunzip.unpipe(inflated);
      gunzip.destroy();
      payload.resume();
    };
    const inflated = new Inflated(limit, stop);
    // What arrived on the wire, for Fastify's Content-Length check (it compares the encoded length).
    payload.on('data', (c: Buffer) => (inflated.receivedEncodedLength += c.length));
    gunzip.on('error', (err) => {
      stop();
      inflated.destroy(new AppError('malformed-json', `/body: not valid gzip (${err.message})`));
    });
    payload.pipe(gunzip).pipe(inflated);
    return inflated;
  });
}
