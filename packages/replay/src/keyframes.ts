import type { GapBuffer } from './gap-buffer';
import type { Keyframe, OpColumns } from './types';
import { EMPTY_RUNS, runsOfCodes, type OriginRuns } from './origin';

export interface KeyframeOptions {
  /** A keyframe at least every this many ops (K). Default 1024. */
  keyframeEvery?: number;
  /**
   * Also a keyframe once replaying since the last one has shifted this many code units in the
   * buffer (edits far apart), so no seek costs more than about this much copying. Default 4 Mi.
   */
  maxMovedUnits?: number;
}

export const DEFAULT_KEYFRAME_EVERY = 1024;
const DEFAULT_MAX_MOVED = 4 * 1024 * 1024;

/** Takes keyframes while ops are applied to a buffer, one op at a time. */
export class KeyframeWriter {
  readonly every: number;
  private readonly maxMoved: number;
  readonly keyframes: Keyframe[] = [];
  private last = 0;

  constructor(initialText: string, initialRuns: OriginRuns, options: KeyframeOptions = {}) {
    this.every = Math.max(1, Math.floor(options.keyframeEvery ?? DEFAULT_KEYFRAME_EVERY));
    this.maxMoved = options.maxMovedUnits ?? DEFAULT_MAX_MOVED;
    this.keyframes.push({ opCount: 0, text: initialText, origins: initialRuns, gapAt: initialText.length });
  }

  /** Call after applying op number opCount - 1 to buf. */
  afterOp(buf: GapBuffer, opCount: number): void {
    if (opCount - this.last >= this.every || buf.moved >= this.maxMoved) {
      this.keyframes.push({ opCount, text: buf.toString(), origins: buf.runs(), gapAt: buf.gapAt });
      this.last = opCount;
      buf.moved = 0;
    }
  }
}

/** Applies op i of the columns to a buffer. */
export function applyOp(buf: GapBuffer, ops: OpColumns, i: number): void {
  buf.splice(ops.pos[i]!, ops.del[i]!, ops.ins[i]!, ops.origin[i]!, ops.mixed.get(i));
}

/** Rebuilds the keyframes of a set of ops in one pass (what a decoder does). */
export function buildKeyframes(buf: GapBuffer, initialText: string, initialRuns: OriginRuns, ops: OpColumns, options: KeyframeOptions = {}): Keyframe[] {
  const writer = new KeyframeWriter(initialText, initialRuns, options);
  buf.reset(initialText, initialRuns);
  const n = ops.seq.length;
  for (let i = 0; i < n; i++) {
    applyOp(buf, ops, i);
    writer.afterOp(buf, i + 1);
  }
  return writer.keyframes;
}

export function initialRunsOf(text: string, code: number): OriginRuns {
  return text.length === 0 ? EMPTY_RUNS : runsOfCodes(new Uint8Array(text.length).fill(code));
}
