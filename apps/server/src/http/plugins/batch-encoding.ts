import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../kernel/errors';
import { parseJsonBody } from '../json-body';

/**
 * The compact batch (ADR 0025): the same batch as `application/json`, written shorter for the wire.
 * It decodes to exactly the events that were sealed, so the hash chain and the MAC are checked on
 * them as on any batch: the encoding is transport only and nothing of it is stored.
 */
export const BATCH_MEDIA_TYPE = 'application/vnd.veritas.batch+json';

/** Row codes: `[dt, code, ...the fields in this order]`. Any other event is `[dt, type, data]`. */
const ROWS: Record<string, { type: string; fields: readonly string[] }> = {
  k: { type: 'key', fields: ['class', 'hold', 'trusted'] },
  o: { type: 'text.op', fields: ['pos', 'del', 'ins', 'cause', 'trusted'] },
  p: { type: 'text.op', fields: ['pos', 'del', 'ins', 'cause'] },
  s: { type: 'selection', fields: ['start', 'end'] },
};

const BODY_KEYS = new Set(['v', 'f', 'p', 'h', 'm', 'e']);

function bad(detail: string): AppError {
  return new AppError('invalid-request', `/body: not a compact batch (${detail})`);
}

const isInt = (x: unknown): x is number => Number.isSafeInteger(x);

/**
 * `{ v: 1, f: firstSeq, p: prevHash, h: hash, m?: mac, e: rows }` back into the batch: seq is
 * `firstSeq` + the row's index, t the running sum of `dt` in tenths of a millisecond, and a
 * text.op's `pos` is given as its distance from where the batch's previous text.op ended.
 * What it yields is then validated as any batch body (BatchBody, then each event's type).
 */
export function decodeBatchBody(text: string): unknown {
  const body = parseJsonBody(text) as Record<string, unknown>;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('not an object');
  for (const k of Object.keys(body)) if (!BODY_KEYS.has(k)) throw bad(`unknown field "${k}"`);
  if (body.v !== 1) throw bad('v must be 1');
  const { f, e } = body;
  if (!isInt(f) || f < 0) throw bad('f must be the first seq');
  if (!Array.isArray(e)) throw bad('e must be an array of rows');
  let tenths = 0;
  let caret = 0;
  const events = e.map((row: unknown, i) => {
    if (!Array.isArray(row) || row.length < 3 || !isInt(row[0]) || typeof row[1] !== 'string') throw bad(`row ${i}`);
    tenths += row[0];
    const head = { seq: f + i, t: tenths / 10 };
    const shape = ROWS[row[1]];
    if (!shape) {
      if (row.length !== 3) throw bad(`row ${i}`);
      return { ...head, type: row[1], data: row[2] };
    }
    if (row.length !== shape.fields.length + 2) throw bad(`row ${i}`);
    const data: Record<string, unknown> = {};
    shape.fields.forEach((name, j) => (data[name] = row[j + 2]));
    if (shape.type === 'text.op') {
      if (!isInt(data.pos) || typeof data.ins !== 'string') throw bad(`row ${i}`);
      data.pos = caret + data.pos;
      caret = (data.pos as number) + data.ins.length;
    }
    return { ...head, type: shape.type, data };
  });
  const out: Record<string, unknown> = { firstSeq: f, events, prevHash: body.p, hash: body.h };
  if (body.m !== undefined) out.mac = body.m;
  return out;
}

/** Counts what the gunzip yields and stops it past `limit` bytes: a small body that inflates without end (a zip bomb) costs no more than the limit. */
class Inflated extends Transform {
  private seen = 0;
  receivedEncodedLength = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return done(new AppError('body-too-large', `/body: more than ${this.limit} bytes once decompressed`));
    done(null, chunk);
  }
}

/**
 * The body decodings the API accepts beside plain JSON: the compact batch media type, and
 * `Content-Encoding: gzip` on any body. The route's body limit applies to the decompressed body;
 * any other content coding is refused (415).
 */
export function installBatchEncoding(app: FastifyInstance): void {
  app.addContentTypeParser(BATCH_MEDIA_TYPE, { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, decodeBatchBody(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('preParsing', async (req, _reply, payload) => {
    const coding = req.headers['content-encoding']?.trim().toLowerCase();
    if (!coding || coding === 'identity') return payload;
    if (coding !== 'gzip') throw new AppError('unsupported-media-type', `/headers/content-encoding: only gzip is accepted, not "${coding}"`);
    const limit = req.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 1024 * 1024;
    const gunzip = createGunzip();
    const inflated = new Inflated(limit);
    // What arrived on the wire, for Fastify's Content-Length check (it compares the encoded length).
    payload.on('data', (c: Buffer) => (inflated.receivedEncodedLength += c.length));
    const fail = (err: Error) => {
      payload.unpipe(gunzip);
      gunzip.destroy();
      inflated.destroy(err instanceof AppError ? err : new AppError('malformed-json', `/body: not valid gzip (${err.message})`));
    };
    gunzip.on('error', fail);
    inflated.on('error', () => {
      payload.unpipe(gunzip);
      gunzip.destroy();
    });
    payload.pipe(gunzip).pipe(inflated);
    return inflated;
  });
}
