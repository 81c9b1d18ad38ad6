import { recorderCapabilities } from './capabilities';
import { randomId } from './clock';
import { applyChange } from './text-diff';
import type { SessionState } from './store';
import type { Batch, RecorderOptions, VeritasEvent } from './types';

export type RecorderMode = 'connected' | 'client-only';

/** Connected when the host names a server or brings a session; otherwise the session stays in the browser. */
export function modeOf(opts: RecorderOptions): RecorderMode {
  return opts.session || opts.server !== undefined ? 'connected' : 'client-only';
}

/**
 * The state of a session that starts now (t = 0). A client-only session names itself; a connected one
 * takes the host's session, or gets its id from the server once it is reachable.
 */
export function newSessionState(key: string, opts: RecorderOptions, hasEditor: boolean): SessionState {
  const mode = modeOf(opts);
  return {
    key,
    mode,
    id: opts.session?.id ?? (mode === 'client-only' ? randomId() : null),
    ...(opts.session ? { writeToken: opts.session.writeToken } : {}),
    ...(opts.server !== undefined ? { server: opts.server } : {}),
    transport: opts.transport ?? 'http',
    kind: opts.kind ?? (hasEditor ? 'writing' : 'generic'),
    // The recorder declares what it captures; the host's meta cannot claim more (or less).
    meta: { ...opts.meta, capabilities: recorderCapabilities(hasEditor) },
    createdAt: new Date().toISOString(),
    startedAtMs: Date.now(),
    nextSeq: 0,
    lastHash: null,
    lastT: 0,
    text: null,
    clipHashes: [],
    ack: -1,
    ending: false,
  };
}

/** The text after a run of events: the recorder follows its own ops, exactly as replay will. */
export function applyOps(text: string | null, events: readonly VeritasEvent[]): string | null {
  if (text === null) return null;
  for (const e of events) if (e.type === 'text.op') text = applyChange(text, e.data);
  return text;
}

/** The state once `batch`, sealed from `events`, is stored: what the store commits with the batch. */
export function stateAfterBatch(state: SessionState, events: readonly VeritasEvent[], batch: Batch, clipHashes: string[]): SessionState {
  const last = events[events.length - 1]!;
  return { ...state, nextSeq: last.seq + 1, lastHash: batch.hash, lastT: last.t, text: applyOps(state.text, events), clipHashes };
}

/**
 * Moves the live state on to `next`, the fields a sealed batch changes and no others: `ack` and
 * `ending` may have changed while the batch was being stored, and must not be set back.
 */
export function adoptBatchState(state: SessionState, next: SessionState): void {
  Object.assign(state, { nextSeq: next.nextSeq, lastHash: next.lastHash, lastT: next.lastT, text: next.text, clipHashes: next.clipHashes });
}

/** The seq of a batch's last event. */
export function lastSeq(b: Batch): number {
  return b.firstSeq + b.events.length - 1;
}
