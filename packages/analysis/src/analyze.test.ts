import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { simulate, type SimKind } from '@veritas/simulator';
import { analyzeSession, DEFAULT_THRESHOLDS, type AnalysisResult, type Flag } from './index';

const SEEDS = [1, 2, 3, 4, 5];
const atLeast = (flags: Flag[], sev: 'medium' | 'high') => flags.filter((f) => (sev === 'high' ? f.severity === 'high' : f.severity !== 'low'));
const detectors = (r: AnalysisResult) => new Set(r.flags.map((f) => f.detector));
const run = (kind: SimKind, seed: number, opts = {}) => analyzeSession(simulate(kind, seed).events, opts);

/** Builds a session by hand: e(type, t, data), seq numbered in order. */
function session(rows: [VeritasEvent['type'], number, unknown][]): VeritasEvent[] {
  return rows.map(([type, t, data], seq) => ({ seq, t, type, data }) as VeritasEvent);
}

describe('analysis on simulated sessions', () => {
  it.each(SEEDS)('genuine composition (seed %i): no flag at medium or high, integrity 1 with a stated reason', (seed) => {
    const r = run('genuine', seed);
    expect(atLeast(r.flags, 'medium')).toEqual([]);
    expect(r.score.risk).not.toBe('high');
    expect(r.score.reasons.length).toBeGreaterThan(0);
    const w = r.metrics.writing!;
    expect(w.pauses.sentenceGradient).toBeGreaterThan(3);
    expect(w.keys.overlapRatio).toBeGreaterThan(0.1);
  });

  it.each(SEEDS)('copy-typing (seed %i) is flagged as transcription, flat pause gradient', (seed) => {
    const r = run('copy', seed);
    const f = r.flags.find((x) => x.detector === 'transcription');
    expect(f?.severity).toBe('high');
    expect(f!.evidence.excerpt.length).toBeGreaterThan(10);
    expect(f!.values.sentenceGradient).toBeLessThan(2.5);
    expect(r.score.risk).toBe('high');
  });

  it.each(SEEDS)('paste-heavy (seed %i): external pastes and their share are flagged, with the pasted text as excerpt', (seed) => {
    const sim = simulate('paste', seed);
    const r = analyzeSession(sim.events);
    const pastes = r.flags.filter((x) => x.detector === 'external-paste');
    expect(pastes.length).toBeGreaterThan(0);
    expect(sim.finalText).toContain(pastes[0]!.evidence.excerpt.replace(/…$/, '').slice(0, 30).trim().split(' ')[0]);
    expect(r.flags.find((x) => x.detector === 'paste-share')?.severity).toBe('high');
    expect(r.metrics.writing!.paste.shareOfFinal).toBeGreaterThan(0.5);
  });

  it.each(['untrusted', 'keyless', 'scripted'] as const)('auto-typer (%s) is caught at high severity by its own signs', (variant) => {
    for (const seed of [1, 2]) {
      const r = analyzeSession(simulate('autotyper', seed, { autoVariant: variant }).events);
      expect(r.score.risk).toBe('high');
      const d = detectors(r);
      if (variant === 'untrusted') expect(d.has('untrusted-input')).toBe(true);
      if (variant === 'keyless') expect(r.flags.find((f) => f.detector === 'keyless-text')?.severity).toBe('high');
      if (variant === 'scripted') expect(d.has('machine-regular')).toBe(true);
    }
  });

  it.each(SEEDS)('mixed (seed %i): the pasted passage is flagged at medium or more, the rest is not', (seed) => {
    const r = run('mixed', seed);
    expect(r.flags.some((f) => f.detector === 'external-paste')).toBe(true);
    expect(atLeast(r.flags, 'medium').some((f) => f.detector === 'external-paste' || f.detector === 'burst-after-return')).toBe(true);
    expect(detectors(r).has('transcription')).toBe(false);
  });

  it.each(['dictation', 'ime'] as const)('%s is named an input method, never paste or automation', (kind) => {
    for (const seed of SEEDS) {
      const r = run(kind, seed);
      expect(r.flags).toEqual([]);
      expect(r.metrics.writing!.paste.count).toBe(0);
      expect(r.metrics.writing!.inputMethod.chars).toBeGreaterThan(100);
      expect(r.notes.find((n) => n.topic === 'input-method')?.message).toMatch(/input method, not pasting or automation/);
    }
  });

  it('internal paste (hash of an earlier copy) is not flagged; the same paste with an unknown hash is', () => {
    const text = 'x'.repeat(200);
    const base = (hash: string) =>
      session([
        ['text.op', 0, { pos: 0, del: 0, ins: text, cause: 'programmatic' }],
        ['clipboard', 10, { action: 'copy', len: 200, hash: 'aaaaaaaaaaaaaaaa' }],
        ['clipboard', 20, { action: 'paste', len: 200, hash }],
        ['text.op', 21, { pos: 200, del: 0, ins: text, cause: 'paste' }],
      ]);
    const internal = analyzeSession(base('aaaaaaaaaaaaaaaa'));
    expect(internal.metrics.writing!.paste.internal).toEqual({ count: 1, chars: 200 });
    expect(detectors(internal).has('external-paste')).toBe(false);
    const external = analyzeSession(base('bbbbbbbbbbbbbbbb'));
    expect(external.metrics.writing!.paste.external.count).toBe(1);
    const f = external.flags.find((x) => x.detector === 'external-paste')!;
    expect(f.evidence).toMatchObject({ seqFrom: 2, seqTo: 3, tFrom: 20, tTo: 21 });
    expect(f.message).toMatch(/200 characters were pasted/);
  });

  it('classifies pauses by location: within word, before word, before sentence, before paragraph, before revision', () => {
    const ev: [VeritasEvent['type'], number, unknown][] = [];
    let t = 0;
    let pos = 0;
    const type = (s: string, gap: number) => {
      for (let i = 0; i < s.length; i++) {
        t += i === 0 ? gap : 100;
        ev.push(['text.op', t, { pos: pos++, del: 0, ins: s[i], cause: 'type' }]);
      }
    };
    type('Ab', 0); // paragraph start (first op: no interval)
    type(' ', 100);
    type('cd', 3000); // before word
    type('.', 100);
    type(' ', 100);
    type('Ef', 5000); // before sentence
    type('\n', 100);
    type('Gh', 8000); // before paragraph
    t += 2500;
    ev.push(['text.op', t, { pos: --pos, del: 1, ins: '', cause: 'type' }]); // before revision, after a pause: ends a P-burst
    type('x', 100);
    ev.push(['text.op', t + 100, { pos: --pos, del: 1, ins: '', cause: 'type' }]); // a revision with no pause ends an R-burst
    const w = analyzeSession(session(ev)).metrics.writing!;
    const loc = w.pauses.byLocation;
    expect(loc.beforeWord.pauses).toBe(1);
    expect(loc.beforeSentence.pauses).toBe(1);
    expect(loc.beforeParagraph.pauses).toBe(1);
    expect(loc.beforeRevision.pauses).toBe(1);
    expect(loc.withinWord.pauses).toBe(0);
    expect(loc.withinWord.intervals).toBe(5);
    // The space after the period belongs to the sentence boundary, as the new line does to the paragraph's.
    expect(loc.beforeSentence.intervals).toBe(2);
    expect(loc.beforeParagraph.intervals).toBe(2);
    expect(w.pauses).toMatchObject({ boundaries: 2, pausedBoundaries: 2, sentencePauseShare: 1 });
    expect(w.revisions).toMatchObject({ insertedChars: 13, deletedChars: 2, finalLength: 11 });
    expect(w.bursts.p.count).toBe(4);
    expect(w.bursts.r).toEqual({ count: 1, meanChars: 1 });
  });

  it('a burst of text right after a long time away is flagged, with the departure and the text', () => {
    const r = analyzeSession(
      session([
        ['focus', 0, { state: 'focus' }],
        ['focus', 1000, { state: 'blur' }],
        ['focus', 91_000, { state: 'focus' }],
        ['text.op', 92_000, { pos: 0, del: 0, ins: 'y'.repeat(300), cause: 'programmatic' }],
        ['mark', 200_000, { label: 'end' }],
      ]),
    );
    const d = detectors(r);
    expect(d.has('burst-after-return')).toBe(true);
    expect(d.has('prolonged-absence')).toBe(true);
    expect(r.metrics.writing!.away).toMatchObject({ departures: 1, totalMs: 90_000 });
    expect(r.metrics.writing!.away.list[0]).toMatchObject({ charsAfterReturn: 300, durationMs: 90_000 });
  });

  it('host signals never change the score, and can be refused altogether', () => {
    const sim = simulate('proctoring-violations', 3);
    const base = analyzeSession(sim.events);
    expect(base.hostSignals!.map((s) => s.key)).toEqual(expect.arrayContaining(['confusion', 'engagement']));
    expect(base.hostSignals!.find((s) => s.key === 'confusion')!.source).toBe('host-webcam-model');
    const altered = sim.events.map((e) =>
      e.type === 'metrics' ? { ...e, data: { ...e.data, values: { ...e.data.values, confusion: 1, engagement: 0 } } } : e,
    ) as VeritasEvent[];
    const a = analyzeSession(altered);
    expect(a.score).toEqual(base.score);
    expect(a.flags).toEqual(base.flags);
    const refused = analyzeSession(sim.events, { acceptHostSignals: false });
    expect(refused.hostSignals).toBeNull();
    expect(refused.score).toEqual(base.score);
    expect(JSON.stringify(refused)).not.toMatch(/confusion|engagement/);
    expect(refused.notes.some((n) => n.topic === 'host-signals')).toBe(true);
  });

  it('proctoring violations become flags; sensor sessions report rate and gaps', () => {
    const p = run('proctoring-violations', 1);
    expect(detectors(p).has('several-faces')).toBe(true);
    expect(p.metrics.proctoring!.violations.multiple_faces).toBeGreaterThan(0);
    expect(run('proctoring', 1).flags).toEqual([]);
    const s = analyzeSession(simulate('sensor', 2, { durationMs: 60_000 }).events);
    const accel = s.metrics.sensor!.find((k) => k.kind === 'accel')!;
    expect(accel.rateHz).toBeGreaterThan(40);
    expect(accel.rateHz).toBeLessThan(101);
    expect(s.metrics.writing).toBeNull();
  });

  it('thresholds can be set per exam and are reported; unknown ones are refused', () => {
    const sim = simulate('mixed', 2);
    expect(detectors(analyzeSession(sim.events)).has('external-paste')).toBe(true);
    const lenient = analyzeSession(sim.events, {
      thresholds: { externalPasteLowChars: 100_000, externalPasteChars: 100_000, pasteShareOfAdded: 0.99, pasteShareOfFinal: 0.99 },
    });
    expect(detectors(lenient).has('external-paste')).toBe(false);
    expect(lenient.thresholds.externalPasteChars).toBe(100_000);
    expect(lenient.thresholds.pauseMs).toBe(DEFAULT_THRESHOLDS.pauseMs);
    expect(() => analyzeSession(sim.events, { thresholds: { nope: 1 } as never })).toThrow(/unknown threshold/);
  });

  it('assistive technology turns keyless and machine-like findings into an input-method note', () => {
    const sim = simulate('autotyper', 1, { autoVariant: 'keyless' });
    const r = analyzeSession(sim.events, { assistiveTechnology: true });
    expect(detectors(r).has('keyless-text')).toBe(false);
    expect(r.notes.some((n) => n.topic === 'assistive-technology')).toBe(true);
  });

  it('rebuilds the document, and the result is plain JSON', () => {
    const sim = simulate('genuine', 9);
    const r = analyzeSession(sim.events);
    expect(r.metrics.writing!.revisions.finalLength).toBe(sim.finalText.length);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    expect(r.metrics.events).toBe(sim.events.length);
    expect(analyzeSession([]).score).toMatchObject({ verdict: 'not-enough-data', integrity: null, risk: null });
  });
});
