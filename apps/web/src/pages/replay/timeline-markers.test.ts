import { describe, expect, it } from 'vitest';
import { lanesOf, type TimelineMarker } from './timeline-markers';

const at = (key: string, t: number): TimelineMarker => ({ key, t, severity: 'medium', label: key });

describe('timeline markers', () => {
  it('places each marker at its share of the timeline, clamped to it, in time order', () => {
    const placed = lanesOf([at('late', 9_000), at('early', 1_000), at('before', -500), at('after', 20_000)], 0, 10_000);
    expect(placed.map((p) => [p.marker.key, p.pct])).toEqual([
      ['before', 0],
      ['early', 10],
      ['late', 90],
      ['after', 100],
    ]);
  });

  it('puts a marker that would cover another a lane down, and reuses a lane once it is clear', () => {
    const placed = lanesOf([at('a', 1_000), at('b', 1_050), at('c', 1_100), at('d', 5_000)], 0, 10_000);
    expect(placed.map((p) => [p.marker.key, p.lane])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 0],
    ]);
  });
});
