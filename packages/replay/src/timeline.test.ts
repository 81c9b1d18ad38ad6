import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { buildReplayIndex } from './replay-index';
import { buildTimeline, density, idleStretches, pauses, placeFlags, skipIdle, timeAway } from './timeline';
import { extractSeries, seriesValueAt } from './series';

const ev = (seq: number, t: number, type: VeritasEvent['type'], data: unknown) => ({ seq, t, type, data }) as VeritasEvent;

const writing: VeritasEvent[] = [
  ev(0, 0, 'text.op', { pos: 0, del: 0, ins: 'a', cause: 'type' }),
  ev(1, 100, 'text.op', { pos: 1, del: 0, ins: 'b', cause: 'type' }),
  ev(2, 1000, 'focus', { state: 'blur' }),
  ev(3, 1500, 'visibility', { state: 'hidden' }),
  ev(4, 9000, 'visibility', { state: 'visible' }),
  ev(5, 9500, 'focus', { state: 'focus' }),
  ev(6, 10_000, 'text.op', { pos: 1, del: 1, ins: 'cd', cause: 'type' }),
  ev(7, 10_050, 'mark', { label: 'section 2' }),
  ev(8, 20_000, 'focus', { state: 'blur' }),
];

describe('timeline', () => {
  const index = buildReplayIndex(writing);

  it('time away spans blur and hidden together, and stays open when the session ends away', () => {
    expect(index.data.away).toEqual([
      { tFrom: 1000, tTo: 9500, seqFrom: 2, seqTo: 5, reason: 'hidden', open: false },
      { tFrom: 20_000, tTo: 20_000, seqFrom: 8, seqTo: 8, reason: 'blur', open: true },
    ]);
    expect(timeAway(index)).toBe(8500);
  });

  it('density counts ops and characters per bucket', () => {
    const d = density(index, 4);
    expect(d.bucketMs).toBe(5000);
    expect(Array.from(d.ops)).toEqual([2, 0, 1, 0]);
    expect(Array.from(d.chars)).toEqual([2, 0, 3, 0]);
  });

  it('pauses are gaps in writing activity; idle stretches are gaps between any events', () => {
    expect(pauses(index, 2000)).toEqual([{ tFrom: 100, tTo: 10_000, ms: 9900, seqAfter: 6 }]);
    expect(idleStretches(index, 3000)).toEqual([
      { tFrom: 1500, tTo: 9000 },
      { tFrom: 10_050, tTo: 20_000 },
    ]);
    const idle = idleStretches(index, 3000);
    expect(skipIdle(idle, 2500)).toBe(8500);
    expect(skipIdle(idle, 1200)).toBe(1200);
    expect(skipIdle(idle, 19_800)).toBe(19_800);
  });

  it('places analysis flags at their moments, clamped and sorted', () => {
    const flags = placeFlags(index, [
      {
        detector: 'prolonged-absence',
        severity: 'low',
        message: 'late',
        evidence: { seqFrom: 6, seqTo: 6, tFrom: 10_000, tTo: 99_999, excerpt: '' },
        values: {},
      },
      { detector: 'external-paste', severity: 'high', message: 'early', evidence: { seqFrom: 0, seqTo: 1, tFrom: -5, tTo: 100, excerpt: 'ab' }, values: {} },
    ]);
    expect(flags.map((f) => [f.detector, f.tFrom, f.tTo, f.id])).toEqual([
      ['external-paste', 0, 100, 1],
      ['prolonged-absence', 10_000, 20_000, 0],
    ]);
    const tl = buildTimeline(index, { buckets: 10, flags: [] });
    expect(tl.marks).toEqual([{ seq: 7, t: 10_050, label: 'section 2' }]);
    expect(tl.density.ops.length).toBe(10);
  });
});

describe('series', () => {
  it('extracts metrics (booleans as 0/1) and sensor axes, sorted by time', () => {
    const events = [
      ev(0, 0, 'metrics', { values: { confusion: 0.2, faceDetected: true } }),
      ev(1, 1000, 'metrics', { values: { confusion: 0.4, faceDetected: false } }),
      ev(2, 1100, 'sensor', {
        kind: 'accel',
        samples: [
          [1050, 0, 1, 9.8],
          [1020, 0.5, 1, 9.7],
        ],
      }),
    ];
    const s = extractSeries(events);
    expect(s.map((x) => x.name)).toEqual(['confusion', 'faceDetected', 'accel.x', 'accel.y', 'accel.z']);
    const x = s.find((q) => q.name === 'accel.x')!;
    expect(Array.from(x.t)).toEqual([1020, 1050]);
    expect(Array.from(x.v)).toEqual([0.5, 0]);
    expect([x.min, x.max]).toEqual([0, 0.5]);
    expect(seriesValueAt(s[1]!, 999)).toBe(1);
    expect(seriesValueAt(s[1]!, 1000)).toBe(0);
    expect(seriesValueAt(s[0]!, -1)).toBeUndefined();
    const index = buildReplayIndex([...events, ev(3, 1200, 'violation', { kind: 'no_face', confidence: 0.9 })], { kind: 'proctoring' });
    expect(index.data.series.length).toBe(5);
    expect(index.data.violations).toEqual([{ seq: 3, t: 1200, kind: 'no_face', confidence: 0.9 }]);
    expect(index.data.session.kind).toBe('proctoring');
  });
});
