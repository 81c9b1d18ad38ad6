import { describe, expect, it } from 'vitest';
import { markersOf } from './flag-markers';

describe('markersOf', () => {
  it('makes a marker per occurrence, named by severity, detector, state and which occurrence it is', () => {
    const markers = markersOf([
      {
        flagId: 'rv_1',
        kind: 'several-faces',
        state: 'awaiting_second_review',
        severity: 'high',
        message: 'Two faces.',
        occurrences: 2,
        times: [
          { tFrom: 1_000, tTo: 2_000, seqFrom: 3, seqTo: 4, severity: 'medium' },
          { tFrom: 9_000, tTo: 9_500, seqFrom: 30, seqTo: 31, severity: 'high' },
        ],
      },
    ]);
    expect(markers).toEqual([
      { key: 'rv_1:3', t: 1_000, severity: 'medium', label: 'medium several faces flag (awaiting a second reviewer), occurrence 1 of 2' },
      { key: 'rv_1:30', t: 9_000, severity: 'high', label: 'high several faces flag (awaiting a second reviewer), occurrence 2 of 2' },
    ]);
  });
});
