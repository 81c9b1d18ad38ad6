import type { VeritasEvent } from '@veritas/schema';

/** What the live writing view says beside the text, from the events received so far. */
export interface WritingStats {
  events: number;
  lastSeq: number;
  /** Session time (ms) of the last event. */
  lastT: number;
  pastes: number;
  pastedChars: number;
  /** Time the page was hidden or lost focus, closed spans plus an open one up to lastT. */
  awayMs: number;
  away: boolean;
}

/** A fold over the events: pastes (text ops caused by a paste) and time away (visibility hidden → visible). */
export function writingStats(events: readonly VeritasEvent[]): WritingStats {
  let pastes = 0;
  let pastedChars = 0;
  let awayMs = 0;
  let hiddenAt: number | null = null;
  for (const e of events) {
    if (e.type === 'text.op' && e.data.cause === 'paste') {
      pastes++;
      pastedChars += e.data.ins.length;
    } else if (e.type === 'visibility') {
      if (e.data.state === 'hidden') hiddenAt ??= e.t;
      else if (hiddenAt !== null) {
        awayMs += e.t - hiddenAt;
        hiddenAt = null;
      }
    }
  }
  const last = events[events.length - 1];
  const lastT = last?.t ?? 0;
  return {
    events: events.length,
    lastSeq: last?.seq ?? -1,
    lastT,
    pastes,
    pastedChars,
    awayMs: awayMs + (hiddenAt !== null ? lastT - hiddenAt : 0),
    away: hiddenAt !== null,
  };
}

/** "1 min 05 s", "42 s". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
