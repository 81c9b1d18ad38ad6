import { buildReplayIndexFromBundle, originTotals, type ReplayIndex } from '@veritas/replay';
import type { Command } from '../main';
import { readBundleFile, reportInvalid } from '../bundle-file';

/** Where to stop: a seq, a fraction of the session's duration, or a time since it started. */
export type ReplayPoint = { seq: number } | { fraction: number } | { ms: number };

/** Reads `--at`: `50%`, `12.5s`, `1500ms`, `2m`. A bare number is seconds. */
export function parseAt(at: string): ReplayPoint {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%|ms|s|m)?\s*$/.exec(at);
  if (!m) throw new Error(`--at takes a percentage (50%) or a time (12.5s, 1500ms, 2m), not "${at}"`);
  const x = Number(m[1]);
  switch (m[2]) {
    case '%':
      if (x > 100) throw new Error(`--at ${at}: a percentage is at most 100%`);
      return { fraction: x / 100 };
    case 'ms':
      return { ms: x };
    case 'm':
      return { ms: x * 60_000 };
    default:
      return { ms: x * 1000 };
  }
}

export function seqOf(index: ReplayIndex, point: ReplayPoint): number {
  if ('seq' in point) return point.seq;
  if ('fraction' in point) return index.seqAtFraction(point.fraction);
  return index.seqAtTime(point.ms);
}

/** Prints the text of a bundle's session at a moment, rebuilt from its text operations. */
export const replay: Command = {
  summary: 'Print the text of a bundle at a moment: --at 50%, --at 12.5s or --seq N (default: the end).',
  usage: 'veritas replay <bundle.json> [--at 50% | --at 12.5s | --seq N] [--origins]',
  options: {
    at: { type: 'string' },
    seq: { type: 'string' },
    origins: { type: 'boolean' },
  },
  async run({ values, positionals }) {
    if (values.at !== undefined && values.seq !== undefined) throw new Error('give --at or --seq, not both');
    let point: ReplayPoint = { fraction: 1 };
    if (typeof values.at === 'string') point = parseAt(values.at);
    if (typeof values.seq === 'string') {
      if (!/^-?\d+$/.test(values.seq)) throw new Error(`--seq takes an integer, not "${values.seq}"`);
      point = { seq: Number(values.seq) };
    }
    const read = await readBundleFile(positionals[0]);
    if (!read.ok) return reportInvalid(read.issues);
    const { bundle, chain: problem } = read;
    if (problem) console.error(`warning: chain broken (${problem.code} at batch ${problem.index}); replaying the events as they are`);
    const index = buildReplayIndexFromBundle(bundle);
    const seq = Math.min(seqOf(index, point), index.lastSeq);
    const state = index.stateAt(seq);
    process.stdout.write(state.text.endsWith('\n') || state.text === '' ? state.text : `${state.text}\n`);
    const t = seq < index.firstSeq ? index.t0 : index.timeOfSeq(seq);
    const info = [`seq ${seq} of ${index.lastSeq}`, `t ${(t / 1000).toFixed(1)} s`, `${state.text.length} chars`];
    if (values.origins) {
      const totals = Object.entries(originTotals(state.origins)).filter(([, n]) => n > 0);
      info.push(totals.map(([o, n]) => `${o} ${n}`).join(', ') || 'no text');
    }
    console.error(info.join(' · '));
    return 0;
  },
};
