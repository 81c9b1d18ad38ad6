import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { duration, writingStats } from './writing-stats';

const ev = (seq: number, t: number, type: string, data: unknown) => ({ seq, t, type, data }) as VeritasEvent;

describe('writingStats', () => {
  it('counts pastes and time away, an open absence up to the last event', () => {
    const events = [
      ev(0, 100, 'text.op', { pos: 0, del: 0, ins: 'a', cause: 'type' }),
      ev(1, 200, 'text.op', { pos: 1, del: 0, ins: 'pasted', cause: 'paste' }),
      ev(2, 1_000, 'visibility', { state: 'hidden' }),
      ev(3, 4_000, 'visibility', { state: 'visible' }),
      ev(4, 5_000, 'visibility', { state: 'hidden' }),
      ev(5, 7_500, 'mark', { label: 'x' }),
    ];
    expect(writingStats(events)).toEqual({ events: 6, lastSeq: 5, lastT: 7_500, pastes: 1, pastedChars: 6, awayMs: 5_500, away: true });
  });

  it('is empty before any event', () => {
    expect(writingStats([])).toMatchObject({ events: 0, lastSeq: -1, awayMs: 0, away: false });
  });

  it('says durations in seconds, then minutes', () => {
    expect(duration(42_300)).toBe('42 s');
    expect(duration(65_000)).toBe('1 min 05 s');
  });
});
