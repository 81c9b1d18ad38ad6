import type { VeritasEvent } from '@veritas/schema';
import { createReplayBuilder, type BuildOptions } from './build';
import { KeyIntervals } from './classify';
import { encodeReplayChunks, type EncodeOptions } from './compact';
import { DEFAULT_KEYFRAME_EVERY } from './keyframes';
import { ReplayIndex } from './replay-index';

/**
 * Where a streamed replay reads a session: its events in seq order, a page at a time, as often as
 * asked. A page is read once and not kept: a source may empty or reuse its array once the next page
 * is asked for.
 */
export interface ReplayEventSource {
  /** Every event, in seq order. */
  pages(): AsyncIterable<readonly VeritasEvent[]>;
  /** The key events only, in seq order (what classifying an op looks ahead at). */
  lookaheadPages(): AsyncIterable<readonly VeritasEvent[]>;
  /** How many events of each type the session holds, if cheap to know: the columns are then sized once. */
  countByType?(): Promise<Readonly<Record<string, number>>>;
}

export type ReplayStreamOptions = Omit<BuildOptions, 'keyframeEvery' | 'maxMovedUnits'> & EncodeOptions;

/** The event types the origin classification reads ahead of an op; a source filters on these. */
export const LOOKAHEAD_EVENT_TYPES = ['key'] as const;

/**
 * The compact replay form (the same lines as encodeReplayChunks) of a session read page by page,
 * so a server never holds the session's events: one pass collects what classifying an op needs
 * from later events (key intervals: a few numbers each), a second folds every
 * event into the replay's columns. No keyframes are taken; the decoder builds them as it reads.
 */
export async function* encodeReplayStream(source: ReplayEventSource, options: ReplayStreamOptions = {}): AsyncGenerator<string> {
  // Built in its own function so the builder's state is garbage once the columns are done.
  const index = await buildFromSource(source, options);
  yield* encodeReplayChunks(index, options.chunkRows ? { chunkRows: options.chunkRows } : {});
}

async function buildFromSource(source: ReplayEventSource, options: ReplayStreamOptions): Promise<ReplayIndex> {
  const n = source.countByType ? await source.countByType() : undefined;
  const count = (...types: string[]) => types.reduce((sum, type) => sum + (n?.[type] ?? 0), 0);
  const capacity = n && {
    events: count(...Object.keys(n)),
    // At most one op per text op or snapshot, and a caret row per op or selection.
    ops: count('text.op', 'snapshot'),
    carets: count('text.op', 'snapshot', 'selection'),
    keys: count('key'),
  };
  const keys = new KeyIntervals();
  for await (const page of source.lookaheadPages()) for (const e of page) keys.add(e);
  const builder = createReplayBuilder(keys, { ...options, ...(capacity ? { capacity } : {}), keyframes: false });
  for await (const page of source.pages()) for (const e of page) builder.push(e);
  const { data, keyframes } = builder.finish();
  return new ReplayIndex(data, keyframes, DEFAULT_KEYFRAME_EVERY);
}
