import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { VeritasEvent } from '@veritas/schema';
import { simulate, type SimKind } from '@veritas/simulator';
import { analyzeSession, createIncrementalAnalyzer, type Flag } from './index';

/** Cuts events at the given points (sorted, deduplicated, inside the array). */
function split(events: VeritasEvent[], cuts: number[]): VeritasEvent[][] {
  const points = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b);
  const out: VeritasEvent[][] = [];
  let from = 0;
  for (const p of points) {
    out.push(events.slice(from, p));
    from = p;
  }
  out.push(events.slice(from));
  return out;
}

const KINDS: SimKind[] = ['genuine', 'copy', 'paste', 'autotyper', 'mixed', 'dictation', 'ime', 'proctoring-violations', 'sensor'];
const sessions = KINDS.map((k, i) => simulate(k, 11 + i, { paragraphs: 1, durationMs: 60_000 }).events);
const wholes = sessions.map((s) => analyzeSession(s));
const alertsOf = (s: VeritasEvent[]) => {
  const a = createIncrementalAnalyzer();
  return a.push(s);
};
const wholeAlerts = sessions.map(alertsOf);

describe('incremental analyser', () => {
  it('fed batch by batch on random splits, reaches exactly the whole analysis, and raises the same alerts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sessions.length - 1 }), fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), (which, cuts, peek) => {
        const events = sessions[which]!;
        const inc = createIncrementalAnalyzer();
        const alerts: Flag[] = [];
        for (const batch of split(events, cuts)) {
          alerts.push(...inc.push(batch));
          // Asking for the result mid-stream must not disturb the fold.
          if (peek) inc.result();
        }
        expect(inc.result()).toEqual(wholes[which]);
        expect(alerts).toEqual(wholeAlerts[which]);
        expect(inc.count).toBe(events.length);
      }),
      { numRuns: 60 },
    );
  });

  it('raises live alerts as the stream arrives: an external paste at once, keyless typing when it crosses the threshold', () => {
    const events = simulate('paste', 4).events;
    const inc = createIncrementalAnalyzer();
    const pasteAt = events.findIndex((e) => e.type === 'text.op' && e.data.cause === 'paste' && e.data.ins.length >= 150);
    expect(inc.push(events.slice(0, pasteAt)).some((a) => a.detector === 'external-paste')).toBe(false);
    const alerts = inc.push(events.slice(pasteAt, pasteAt + 1));
    expect(alerts.map((a) => a.detector)).toContain('external-paste');
    expect(alerts[0]!.evidence.seqTo).toBe(events[pasteAt]!.seq);

    const keyless = simulate('autotyper', 3, { autoVariant: 'keyless' }).events;
    const k = createIncrementalAnalyzer();
    const live = k.push(keyless.slice(0, 200));
    expect(live.find((a) => a.detector === 'keyless-text')?.message).toMatch(/^So far, 40 characters/);
  });

  it('refuses a gap or a replayed event, so the caller waits for the stream to be contiguous', () => {
    const events = simulate('genuine', 1, { paragraphs: 1 }).events;
    const inc = createIncrementalAnalyzer();
    inc.push(events.slice(0, 10));
    expect(() => inc.push(events.slice(11, 12))).toThrow(/expected seq 10/);
    expect(() => inc.push(events.slice(5, 6))).toThrow(/expected seq 10/);
    inc.push(events.slice(10));
    expect(inc.result()).toEqual(analyzeSession(events));
  });
});
