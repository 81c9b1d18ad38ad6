import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { CHART_POINTS, chartPoints, SensorChannels } from './sensor-channels';

const sensor = (seq: number, kind: string, samples: number[][]) => ({ seq, t: samples[0]![0]!, type: 'sensor', data: { kind, samples } }) as VeritasEvent;

describe('SensorChannels', () => {
  it('keeps every sample by channel, reading each event once as the array grows', () => {
    const events: VeritasEvent[] = [sensor(0, 'accel', [[0, 1, 2, 3]]), sensor(1, 'light', [[5, 100]])];
    const ch = new SensorChannels();
    ch.update(events);
    events.push(
      sensor(2, 'accel', [
        [10, 4, 5, 6],
        [20, 7, 8, 9],
      ]),
    );
    ch.update(events);
    ch.update(events);
    expect(ch.channels).toEqual([
      {
        kind: 'accel',
        columns: ['x', 'y', 'z'],
        rows: [
          [0, 1, 2, 3],
          [10, 4, 5, 6],
          [20, 7, 8, 9],
        ],
      },
      { kind: 'light', columns: ['x'], rows: [[5, 100]] },
    ]);
  });

  it('charts the last 20 s, thinned to at most CHART_POINTS and ending on the newest sample', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [i * 10, i, -i, 0]); // 50 s at 100 Hz
    const ch = new SensorChannels();
    ch.update([sensor(0, 'accel', rows.slice(0, 1000)), sensor(1, 'accel', rows.slice(1000))].map((e, i) => ({ ...e, seq: i })));
    const points = chartPoints(ch.channels[0]!);
    expect(points.length).toBeLessThanOrEqual(CHART_POINTS + 1);
    expect(points[0]!.t).toBeCloseTo(29.99, 5); // 20 s before the newest
    expect(points[points.length - 1]).toEqual({ t: 49.99, x: 4999, y: -4999, z: 0 });
  });
});
