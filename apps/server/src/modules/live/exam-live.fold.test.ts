import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { IDLE_AFTER_MS, OFFLINE_AFTER_MS, slim, StudentFold, type SlimEvent } from './exam-live.fold';

const ev = (seq: number, t: number, type: string, data: unknown) => ({ seq, t, type, data }) as VeritasEvent;
const slims = (events: VeritasEvent[]) => events.map(slim).filter((e): e is SlimEvent => e !== undefined);

describe('a student’s live fold', () => {
  it('slims events to what the view needs, never the text', () => {
    expect(slim(ev(0, 5, 'text.op', { pos: 0, del: 0, ins: 'secret', cause: 'type' }))).toEqual({ seq: 0, t: 5, k: 'typed', n: 6 });
    expect(slim(ev(1, 6, 'text.op', { pos: 0, del: 0, ins: 'secret', cause: 'paste' }))).toEqual({ seq: 1, t: 6, k: 'paste' });
    expect(slim(ev(2, 7, 'text.op', { pos: 0, del: 3, ins: '', cause: 'type' }))).toEqual({ seq: 2, t: 7, k: 'input' });
    expect(slim(ev(3, 8, 'focus', { state: 'blur' }))).toEqual({ seq: 3, t: 8, k: 'away' });
    expect(slim(ev(4, 9, 'snapshot', { text: 'secret' }))).toBeUndefined();
  });

  it('counts typing over the last minute of the student’s clock, pastes, time away, and tells presence', () => {
    const start = 1_000_000;
    const f = new StudentFold(start);
    f.apply(
      slims([
        ev(0, 0, 'text.op', { pos: 0, del: 0, ins: 'abc', cause: 'type' }),
        ev(1, 1000, 'text.op', { pos: 3, del: 0, ins: 'pasted', cause: 'paste' }),
        ev(2, 2000, 'visibility', { state: 'hidden' }),
        ev(3, 5000, 'visibility', { state: 'visible' }),
        ev(4, 61_000, 'text.op', { pos: 9, del: 0, ins: 'de', cause: 'type' }),
      ]),
      5,
      start + 61_000,
    );
    // At 61 s the first three characters (t = 0) are out of the minute.
    expect(f.view(start + 61_000, true)).toEqual({ presence: 'online', charsPerMinute: 2, pastes: 1, awayMs: 3000 });
    expect(f.view(start + 61_000 + IDLE_AFTER_MS + 1, true).presence).toBe('idle');
    expect(f.view(start + 61_000 + OFFLINE_AFTER_MS + 1, true).presence).toBe('offline');
    expect(f.view(start + 61_000, false).presence).toBe('offline');
    // Away now: time away grows with the clock until the page is back.
    f.apply(slims([ev(6, 62_000, 'visibility', { state: 'hidden' })]), 6, start + 62_000);
    expect(f.view(start + 64_000, true)).toMatchObject({ presence: 'idle', awayMs: 5000 });
  });

  it('folds each seq once, and takes a commit’s last seq as heard even when it held nothing it reads', () => {
    const f = new StudentFold(0);
    const typed = slims([ev(0, 0, 'text.op', { pos: 0, del: 0, ins: 'ab', cause: 'type' })]);
    f.apply(typed, 0, 10);
    f.apply(typed, 0, 20);
    expect(f.view(10, true).charsPerMinute).toBe(2);
    f.apply([], 3, 50);
    expect(f.lastSeq).toBe(3);
    f.apply(slims([ev(4, 100, 'metrics', { values: { confusion: 0.3, faces: 2 }, source: 'cam' })]), 4, 60);
    expect(f.host).toEqual({ confusion: 0.3, source: 'cam', labels: { confusion: 0.3, faces: 2 }, t: 100 });
  });
});
