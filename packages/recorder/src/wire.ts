import type { Batch } from './types';

/** The compact batch (ADR 0025): decoded by the server back into exactly these events before any check. */
export const BATCH_TYPE = 'application/vnd.veritas.batch+json';

/** Row codes and their field order; the server's decoder holds the same table (a test round-trips through it). */
const ROWS: [code: string, type: string, fields: string[]][] = [
  ['k', 'key', ['class', 'hold', 'trusted']],
  ['o', 'text.op', ['pos', 'del', 'ins', 'cause', 'trusted']],
  ['p', 'text.op', ['pos', 'del', 'ins', 'cause']],
  ['s', 'selection', ['start', 'end']],
];

/**
 * The batch written short: seq from `firstSeq`, t as tenths of a millisecond since the event before,
 * a text.op's pos as its distance from where the previous one ended, and the frequent events as rows
 * of values. Null when an event does not fit (its seq or t is not what the encoding can carry back
 * exactly): that batch goes as plain JSON.
 */
export function compactBatch(b: Batch): string | null {
  let tenths = 0;
  let caret = 0;
  const rows: unknown[] = [];
  for (let i = 0; i < b.events.length; i++) {
    const { seq, t, type, data } = b.events[i]!;
    const at = Math.round(t * 10);
    if (seq !== b.firstSeq + i || at / 10 !== t || Object.keys(b.events[i]!).length !== 4) return null;
    const d = data as Record<string, unknown>;
    const keys = Object.keys(d);
    const shape = ROWS.find(([, ty, fields]) => ty === type && fields.length === keys.length && fields.every((f) => d[f] !== undefined));
    let row: unknown[];
    if (shape && (type !== 'text.op' || Number.isSafeInteger(d.pos))) {
      row = [at - tenths, shape[0], ...shape[2].map((f) => d[f])];
      if (type === 'text.op') {
        row[2] = (d.pos as number) - caret;
        caret = (d.pos as number) + (d.ins as string).length;
      }
    } else row = [at - tenths, type, data];
    tenths = at;
    rows.push(row);
  }
  return JSON.stringify({ v: 1, f: b.firstSeq, p: b.prevHash, h: b.hash, m: b.mac, e: rows });
}

/** Gzip where the browser has CompressionStream; the body as it is elsewhere. */
export async function gzipped(text: string): Promise<{ body: BodyInit; gzip: boolean }> {
  if (typeof CompressionStream === 'undefined') return { body: text, gzip: false };
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return { body: await new Response(stream).arrayBuffer(), gzip: true };
}
