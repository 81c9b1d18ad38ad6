import { GapBuffer } from './gap-buffer';
import { applyOp, initialRunsOf, KeyframeWriter, type KeyframeOptions } from './keyframes';
import { ORIGIN_CODE, ORIGINS } from './origin';
import { ReplayIndex } from './replay-index';
import { OP_CAUSES, REPLAY_FORMAT, type CaretColumns, type ReplayData, type Series } from './types';

/**
 * The compact form: newline-delimited JSON, one self-contained chunk per line, so a server can
 * stream it (`application/x-ndjson`) and a viewer can rebuild the index while it arrives.
 * Keyframes are not sent: the decoder takes them as the ops come in. Times travel as microsecond
 * deltas, positions as offsets from the previous op's end, so typing costs a few bytes per op.
 *
 *   {"k":"head",…}  {"k":"ops",…}*  {"k":"carets",…}*  {"k":"clock",…}*  {"k":"keys",…}*  {"k":"series",…}*  {"k":"end"}
 */
export const REPLAY_MEDIA_TYPE = 'application/x-ndjson';

export interface EncodeOptions {
  /** Rows per chunk. Default 4096. */
  chunkRows?: number;
}

interface Head {
  k: 'head';
  format: string;
  session: ReplayData['session'];
  keyframeEvery: number;
  /** carets: all rows once merged; explicitCarets: the rows that travel. */
  counts: { events: number; ops: number; carets: number; explicitCarets: number; keys: number };
  away: ReplayData['away'];
  pastes: ReplayData['pastes'];
  marks: ReplayData['marks'];
  violations: ReplayData['violations'];
  divergences: ReplayData['divergences'];
  series: { name: string; source: Series['source']; n: number; min: number; max: number }[];
}

const us = (t: number) => Math.round(t * 1000);

/** Deltas of µs times, first one absolute, printed in ms. */
function timeDeltas(t: ArrayLike<number>, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  let prev = 0;
  for (let i = from; i < to; i++) {
    const x = us(t[i]!);
    out[i - from] = (x - prev) / 1000;
    prev = x;
  }
  return out;
}
function intDeltas(a: ArrayLike<number>, from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  let prev = 0;
  for (let i = from; i < to; i++) {
    out[i - from] = a[i]! - prev;
    prev = a[i]!;
  }
  return out;
}
function undeltaTime(d: readonly number[], into: Float64Array, at: number): void {
  let acc = 0;
  for (let i = 0; i < d.length; i++) {
    acc += Math.round(d[i]! * 1000);
    into[at + i] = acc / 1000;
  }
}
function undeltaInt(d: readonly number[], into: Int32Array | Uint32Array, at: number): void {
  let acc = 0;
  for (let i = 0; i < d.length; i++) into[at + i] = acc += d[i]!;
}

function* rows(n: number, size: number): Generator<[number, number]> {
  for (let a = 0; a < n; a += size) yield [a, Math.min(n, a + size)];
}

/** Encodes a replay index as NDJSON chunks (each string one line ending in \n), for streaming. */
export function* encodeReplayChunks(index: ReplayIndex, options: EncodeOptions = {}): Generator<string> {
  const size = Math.max(1, options.chunkRows ?? 4096);
  const d = index.data;
  const line = (x: unknown) => `${JSON.stringify(x)}\n`;
  const head: Head = {
    k: 'head',
    format: REPLAY_FORMAT,
    session: d.session,
    keyframeEvery: index.keyframeEvery,
    counts: {
      events: d.clock.seq.length,
      ops: d.ops.seq.length,
      carets: d.carets.seq.length,
      explicitCarets: explicitCarets(d).seq.length,
      keys: d.keys.length,
    },
    away: d.away,
    pastes: d.pastes,
    marks: d.marks,
    violations: d.violations,
    divergences: d.divergences,
    series: d.series.map((s) => ({ name: s.name, source: s.source, n: s.t.length, min: s.min, max: s.max })),
  };
  yield line(head);
  const o = d.ops;
  for (const [a, b] of rows(o.seq.length, size)) {
    const pos = new Array<number>(b - a);
    let end = a > 0 ? o.pos[a - 1]! + o.ins[a - 1]!.length : 0;
    for (let i = a; i < b; i++) {
      pos[i - a] = o.pos[i]! - end;
      end = o.pos[i]! + o.ins[i]!.length;
    }
    const mixed: [number, number[], number[]][] = [];
    for (let i = a; i < b; i++) {
      const m = o.mixed.get(i);
      if (m) mixed.push([i - a, Array.from(m.len), Array.from(m.code)]);
    }
    yield line({
      k: 'ops',
      from: a,
      end0: a > 0 ? o.pos[a - 1]! + o.ins[a - 1]!.length : 0,
      seq: intDeltas(o.seq, a, b),
      t: timeDeltas(o.t, a, b),
      pos,
      del: Array.from(o.del.subarray(a, b)),
      ins: o.ins.slice(a, b),
      o: Array.from(o.origin.subarray(a, b)),
      c: Array.from(o.cause.subarray(a, b)),
      ...(mixed.length ? { mixed } : {}),
    });
  }
  // Carets after ops follow from the ops; only the others (selections) travel.
  const c = explicitCarets(d);
  for (const [a, b] of rows(c.seq.length, size)) {
    const span = Array.from(c.start.subarray(a, b), (s, i) => c.end[a + i]! - s);
    yield line({ k: 'carets', from: a, seq: intDeltas(c.seq, a, b), t: timeDeltas(c.t, a, b), start: intDeltas(c.start, a, b), span });
  }
  for (const [a, b] of rows(d.clock.seq.length, size)) {
    let contiguous = true;
    for (let i = a + 1; i < b && contiguous; i++) contiguous = d.clock.seq[i] === d.clock.seq[i - 1]! + 1;
    yield line({ k: 'clock', from: a, seq: contiguous ? d.clock.seq[a] : intDeltas(d.clock.seq, a, b), t: timeDeltas(d.clock.t, a, b) });
  }
  for (const [a, b] of rows(d.keys.length, size)) yield line({ k: 'keys', from: a, t: timeDeltas(d.keys, a, b) });
  for (const [si, s] of d.series.entries()) {
    for (const [a, b] of rows(s.t.length, size)) yield line({ k: 'series', i: si, from: a, t: timeDeltas(s.t, a, b), v: Array.from(s.v.subarray(a, b)) });
  }
  yield line({ k: 'end', ops: o.seq.length, events: d.clock.seq.length });
}

const SNAPSHOT_CAUSE = OP_CAUSES.indexOf('snapshot');

/** The caret rows an op does not imply: selections, and anything that disagrees with its op. */
function explicitCarets(d: ReplayData): CaretColumns {
  const c = d.carets;
  const o = d.ops;
  const keep: number[] = [];
  let j = 0;
  for (let i = 0; i < c.seq.length; i++) {
    const s = c.seq[i]!;
    while (j < o.seq.length && o.seq[j]! < s) j++;
    const implied =
      j < o.seq.length &&
      o.seq[j] === s &&
      o.cause[j] !== SNAPSHOT_CAUSE &&
      c.t[i] === o.t[j] &&
      c.start[i] === c.end[i] &&
      c.end[i] === o.pos[j]! + o.ins[j]!.length;
    if (!implied) keep.push(i);
  }
  return {
    seq: Int32Array.from(keep, (i) => c.seq[i]!),
    t: Float64Array.from(keep, (i) => c.t[i]!),
    start: Uint32Array.from(keep, (i) => c.start[i]!),
    end: Uint32Array.from(keep, (i) => c.end[i]!),
  };
}

/** Merges the carets the ops imply with the explicit ones, in seq order, into the data's columns. */
function mergeCarets(d: ReplayData, x: CaretColumns, count: number): void {
  const o = d.ops;
  const c = d.carets;
  let i = 0;
  let j = 0;
  let k = 0;
  while (k < count) {
    while (i < o.seq.length && o.cause[i] === SNAPSHOT_CAUSE) i++;
    const takeOp = i < o.seq.length && (j >= x.seq.length || o.seq[i]! < x.seq[j]!);
    if (!takeOp && j >= x.seq.length) throw new ReplayDecodeError(`caret count ${count} does not match the stream`);
    if (takeOp) {
      const at = o.pos[i]! + o.ins[i]!.length;
      c.seq[k] = o.seq[i]!;
      c.t[k] = o.t[i]!;
      c.start[k] = at;
      c.end[k] = at;
      i++;
    } else {
      c.seq[k] = x.seq[j]!;
      c.t[k] = x.t[j]!;
      c.start[k] = x.start[j]!;
      c.end[k] = x.end[j]!;
      j++;
    }
    k++;
  }
}

/** The whole compact form as one string. */
export function encodeReplay(index: ReplayIndex, options: EncodeOptions = {}): string {
  let out = '';
  for (const chunk of encodeReplayChunks(index, options)) out += chunk;
  return out;
}

export class ReplayDecodeError extends Error {
  override name = 'ReplayDecodeError';
}

export interface ReplayDecoder {
  /** Feeds text as it arrives; lines may be split anywhere between pushes. */
  push(text: string): void;
  /** Ops received so far and in all, for a progress bar. */
  readonly progress: { ops: number; totalOps: number };
  /** Ends the stream and returns the index; throws ReplayDecodeError if it was incomplete. */
  finish(): ReplayIndex;
}

/** A streaming decoder: keyframes are taken as op chunks arrive, so finishing costs nothing more. */
export function createReplayDecoder(options: KeyframeOptions = {}): ReplayDecoder {
  let pending = '';
  let data: ReplayData | null = null;
  let sel: CaretColumns | null = null;
  let writer: KeyframeWriter | null = null;
  let every = 0;
  const buf = new GapBuffer();
  let opsIn = 0;
  let ended = false;
  const fail = (msg: string): never => {
    throw new ReplayDecodeError(msg);
  };

  const onHead = (h: Head) => {
    if (h.format !== REPLAY_FORMAT) fail(`unknown replay format "${String(h.format)}"`);
    const { events, ops, carets, explicitCarets: nsel, keys } = h.counts;
    sel = { seq: new Int32Array(nsel), t: new Float64Array(nsel), start: new Uint32Array(nsel), end: new Uint32Array(nsel) };
    data = {
      format: REPLAY_FORMAT,
      session: h.session,
      clock: { seq: new Int32Array(events), t: new Float64Array(events) },
      ops: {
        seq: new Int32Array(ops),
        t: new Float64Array(ops),
        pos: new Uint32Array(ops),
        del: new Uint32Array(ops),
        ins: new Array<string>(ops),
        origin: new Uint8Array(ops),
        cause: new Uint8Array(ops),
        mixed: new Map(),
      },
      carets: { seq: new Int32Array(carets), t: new Float64Array(carets), start: new Uint32Array(carets), end: new Uint32Array(carets) },
      keys: new Float64Array(keys),
      away: h.away,
      pastes: h.pastes,
      marks: h.marks,
      violations: h.violations,
      divergences: h.divergences,
      series: h.series.map((s) => ({ name: s.name, source: s.source, t: new Float64Array(s.n), v: new Float64Array(s.n), min: s.min, max: s.max })),
    };
    every = options.keyframeEvery ?? h.keyframeEvery;
    const init = h.session.initialText;
    const runs = initialRunsOf(init, ORIGIN_CODE.initial);
    buf.reset(init, runs);
    writer = new KeyframeWriter(init, runs, { ...options, keyframeEvery: every });
  };

  const onOps = (
    d: ReplayData,
    c: {
      from: number;
      end0: number;
      seq: number[];
      t: number[];
      pos: number[];
      del: number[];
      ins: string[];
      o: number[];
      c: number[];
      mixed?: [number, number[], number[]][];
    },
  ) => {
    const o = d.ops;
    if (c.from !== opsIn || c.from + c.seq.length > o.seq.length) fail(`ops chunk at ${c.from} out of order`);
    undeltaInt(c.seq, o.seq, c.from);
    undeltaTime(c.t, o.t, c.from);
    let end = c.end0;
    for (let i = 0; i < c.seq.length; i++) {
      const code = c.o[i]!;
      if (code >= ORIGINS.length || (c.c[i] ?? 99) >= OP_CAUSES.length) fail(`bad origin or cause in ops chunk at ${c.from}`);
      const p = end + c.pos[i]!;
      o.pos[c.from + i] = p;
      o.del[c.from + i] = c.del[i]!;
      o.ins[c.from + i] = c.ins[i]!;
      o.origin[c.from + i] = code;
      o.cause[c.from + i] = c.c[i]!;
      end = p + c.ins[i]!.length;
    }
    for (const [i, len, code] of c.mixed ?? []) o.mixed.set(c.from + i, { len: Uint32Array.from(len), code: Uint8Array.from(code) });
    for (let i = c.from; i < c.from + c.seq.length; i++) {
      applyOp(buf, o, i);
      writer!.afterOp(buf, i + 1);
    }
    opsIn = c.from + c.seq.length;
  };

  const onLine = (text: string) => {
    if (text.trim() === '') return;
    let msg: { k?: string; [key: string]: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return fail('a chunk is not JSON');
    }
    if (msg.k === 'head') return onHead(msg as unknown as Head);
    const d = data;
    if (!d) return fail('the stream does not start with its head');
    // The chunk shapes are this module's own; counts in the head and the end chunk catch a truncated stream.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each case reads its own chunk shape; the counts check them
    const m = msg as any;
    switch (msg.k) {
      case 'ops':
        return onOps(d, m);
      case 'carets': {
        const x = sel!;
        if (m.from + m.seq.length > x.seq.length) return fail('more carets than the head announced');
        undeltaInt(m.seq, x.seq, m.from);
        undeltaTime(m.t, x.t, m.from);
        undeltaInt(m.start, x.start, m.from);
        (m.span as number[]).forEach((s, i) => (x.end[m.from + i] = x.start[m.from + i]! + s));
        return;
      }
      case 'clock':
        if (typeof m.seq === 'number') for (let i = 0; i < m.t.length; i++) d.clock.seq[m.from + i] = m.seq + i;
        else undeltaInt(m.seq, d.clock.seq, m.from);
        return undeltaTime(m.t, d.clock.t, m.from);
      case 'keys':
        return undeltaTime(m.t, d.keys, m.from);
      case 'series': {
        const s = d.series[m.i];
        if (!s) return fail(`unknown series ${m.i}`);
        undeltaTime(m.t, s.t, m.from);
        s.v.set(m.v, m.from);
        return;
      }
      case 'end':
        if (m.ops !== d.ops.seq.length || opsIn !== d.ops.seq.length) fail(`stream ended with ${opsIn} of ${d.ops.seq.length} ops`);
        mergeCarets(d, sel!, d.carets.seq.length);
        ended = true;
        return;
      default:
        return fail(`unknown chunk kind "${String(msg.k)}"`);
    }
  };

  return {
    push(text: string) {
      pending += text;
      let start = 0;
      let nl: number;
      while ((nl = pending.indexOf('\n', start)) >= 0) {
        onLine(pending.slice(start, nl));
        start = nl + 1;
      }
      pending = pending.slice(start);
    },
    get progress() {
      return { ops: opsIn, totalOps: data?.ops.seq.length ?? 0 };
    },
    finish() {
      if (pending.trim() !== '') onLine(pending);
      pending = '';
      if (!data || !writer) return fail('empty replay stream');
      if (!ended) return fail('the replay stream was cut short (no end chunk)');
      return new ReplayIndex(data, writer.keyframes, every);
    },
  };
}

/** Decodes the compact form (a string or the chunks) into an index. */
export function decodeReplay(input: string | Iterable<string>, options: KeyframeOptions = {}): ReplayIndex {
  const dec = createReplayDecoder(options);
  if (typeof input === 'string') dec.push(input);
  else for (const chunk of input) dec.push(chunk);
  return dec.finish();
}
