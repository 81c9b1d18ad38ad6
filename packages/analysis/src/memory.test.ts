import { describe, expect, it } from 'vitest';
import { simulate } from '@veritas/simulator';
import { createIncrementalAnalyzer, type IncrementalAnalyzer } from './index';

describe('a live analyser in memory', () => {
  // The server keeps up to VERITAS_LIVE_ANALYSERS (5,000) of these; each held 114 KB of histogram
  // bins (eight dense 13 KB arrays) before any event came.
  it('keeps the array memory of a short session in tens of kilobytes, not over a hundred', () => {
    const events = simulate('genuine', 7, { paragraphs: 1 }).events.slice(0, 300);
    const count = 1_000;
    const kept: IncrementalAnalyzer[] = [];
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < count; i++) {
      const a = createIncrementalAnalyzer();
      a.push(events);
      kept.push(a);
    }
    const perAnalyser = (process.memoryUsage().arrayBuffers - before) / count;
    expect(kept).toHaveLength(count);
    // Kept arrays cannot be collected, so 117 KB each could never measure under the bound. About 24 KB
    // now: its text buffer (12 KB), the bins, and the loop's garbage not yet collected.
    expect(perAnalyser).toBeLessThan(48 * 1024);
  });
});
