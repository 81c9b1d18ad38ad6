import type { Batch } from './types';

/** The compact batch (ADR 0025): decoded by the server back into exactly these events before any check. */
export const BATCH_TYPE = 'application/vnd.veritas.batch+json';

/** Row codes, their event type and field order; the server's decoder holds the same table (a test round-trips through it). */
const ROWS: [code: string, type: string, fields: string[]][] = [
  ['k', 'key', ['class', 'hold', 'trusted']],
  ['o', 'text.op', ['pos', 'del', 'ins', 'cause', 'trusted']],
  ['q', 'text.op', ['pos', 'del', 'ins', 'cause']],
  ['s', 'selection', ['start', 'end']],
];

/**
 * The batch written short and in columns, which gzip compresses far better than one object per
 * event: `c` has one code per event, `t` the time since the event before in tenths of a millisecond
 * (seq follows from `firstSeq`; a key's less its hold), and each code a column per field (a key's
 * hold in tenths too). A text.op's `pos` is its distance
 * from where the one before ended, its `ins` a length into `i`, the inserted texts end to end. Any
 * other event is `[type, data]` in `x`. Null when an event's seq or t could not be carried back
 * exactly: that batch goes as plain JSON.
 */
export function compactBatch(b: Batch): string | null {
  let tenths = 0;
  let caret = 0;
  let c = '';
  let i = '';
  const t: number[] = [];
  const cols: Record<string, unknown[][]> = {};
  const x: unknown[] = [];
  for (let n = 0; n < b.events.length; n++) {
    const { seq, t: time, type, data } = b.events[n]!;
    const at = Math.round(time * 10);
    if (seq !== b.firstSeq + n || at / 10 !== time || Object.keys(b.events[n]!).length !== 4) return null;
    const d = data as Record<string, unknown>;
    const keys = Object.keys(d);
    const hold = Math.round((d.hold as number) * 10);
    let row = ROWS.find(([, ty, fields]) => ty === type && fields.length === keys.length && fields.every((f) => d[f] !== undefined));
    if ((type === 'text.op' && !(Number.isSafeInteger(d.pos) && typeof d.ins === 'string')) || (type === 'key' && hold / 10 !== d.hold)) row = undefined;
    // A key event comes at its release, `hold` after its press, which is about when its text.op came:
    // its time is written as the rest after the hold, mostly 0 or nearly.
    t.push(at - tenths - (row && type === 'key' ? hold : 0));
    tenths = at;
    if (!row) {
      c += 'x';
      x.push([type, data]);
      continue;
    }
    const [code, , fields] = row;
    c += code;
    const col = (cols[code] ??= fields.map(() => []));
    fields.forEach((f, j) => {
      let v = d[f];
      if (f === 'pos') {
        v = (v as number) - caret;
        caret = (d.pos as number) + (d.ins as string).length;
      } else if (f === 'hold') v = hold;
      else if (f === 'ins') {
        i += v as string;
        v = (v as string).length;
      }
      col[j]!.push(v);
    });
  }
  // No `hash`: the server computes it from the events and `prevHash`, as it would to check it.
  return JSON.stringify({ v: 1, f: b.firstSeq, p: b.prevHash, m: b.mac, c, t, i, x, ...cols });
}

/** Gzip where the browser has CompressionStream; the body as it is elsewhere. */
export async function gzipped(text: string): Promise<{ body: BodyInit; gzip: boolean }> {
  if (typeof CompressionStream === 'undefined') return { body: text, gzip: false };
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return { body: await new Response(stream).arrayBuffer(), gzip: true };
}
