import type { VeritasEvent } from '@veritas/schema';

/**
 * The reference replay: applies every text op from the start with string splicing, clamped the
 * way the index clamps, and follows snapshots. What the index must agree with, and what the
 * benchmark compares against.
 */
export function replayNaive(events: readonly VeritasEvent[], seq: number, initialText = ''): string {
  let text = initialText;
  for (const e of events) {
    if (e.seq > seq) break;
    if (e.type === 'snapshot') text = e.data.text;
    if (e.type !== 'text.op') continue;
    const p = Math.min(e.data.pos, text.length);
    const d = Math.min(e.data.del, text.length - p);
    text = text.slice(0, p) + e.data.ins + text.slice(p + d);
  }
  return text;
}
