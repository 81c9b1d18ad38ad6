import { describe, expect, it } from 'vitest';
import { DETECTOR_NAMES, TEXT_ONLY, type VeritasEvent } from '@veritas/schema';
import { simulate, type SimKind } from '@veritas/simulator';
import { analyzeSession, clock, DEFAULT_THRESHOLDS, overlapThresholdAt, type AnalysisResult, type Flag } from './index';

/** Types `text` from t0, one character every `gap` ms, with a key for each; `pauseAfter` maps an index to an extra pause before the next character. */
function typed(text: string, opts: { gap?: number; hold?: number; pauseAfter?: Record<number, number>; from?: number } = {}): VeritasEvent[] {
  const gap = opts.gap ?? 150;
  const hold = opts.hold ?? 100;
  const out: VeritasEvent[] = [];
  let t = opts.from ?? 0;
  for (let i = 0; i < text.length; i++) {
    t += gap + (opts.pauseAfter?.[i - 1] ?? 0);
    out.push({ seq: out.length, t, type: 'text.op', data: { pos: i, del: 0, ins: text[i]!, cause: 'type' } });
    const cls = text[i] === ' ' ? 'space' : text[i] === '\n' ? 'enter' : 'char';
    out.push({ seq: out.length, t: t + hold, type: 'key', data: { class: cls, hold } });
  }
  return out;
}

const SENTENCES = [
  'The river rose in the night.',
  'Nobody in the village slept.',
  'At dawn the bridge was gone.',
  'We waited for the ferry.',
  'It came late in the day.',
  'Then we crossed at last.',
];

describe('pauses belong to the transition they sit in', () => {
  it('a long pause after a period and before the space is a paused sentence start (the essay from issue 11)', () => {
    const text = SENTENCES.join(' ');
    // Pauses of 62 s, 6.5 s, 2.4 s and 141 s right after periods, then the space and the capital letter.
    const periods = [...text.matchAll(/\./g)].map((m) => m.index!);
    const pauses = [62_000, 6500, 2400, 141_000];
    const pauseAfter = Object.fromEntries(periods.slice(0, 4).map((p, i) => [p, pauses[i]!]));
    const w = analyzeSession(typed(text, { pauseAfter })).metrics.writing!;
    expect(w.pauses.boundaries).toBe(5);
    expect(w.pauses.pausedBoundaries).toBe(4);
    expect(w.pauses.sentencePauseShare).toBe(0.8);
    expect(w.pauses.byLocation.beforeSentence.pauses).toBe(4);
    expect(w.pauses.byLocation.beforeWord.pauses).toBe(0);
  });

  it('the same pauses after the space count once per sentence start, not twice', () => {
    const text = SENTENCES.join(' ');
    const spaces = [...text.matchAll(/\. /g)].map((m) => m.index! + 1);
    const w = analyzeSession(typed(text, { pauseAfter: Object.fromEntries(spaces.map((p) => [p, 5000])) })).metrics.writing!;
    expect(w.pauses).toMatchObject({ boundaries: 5, pausedBoundaries: 5, sentencePauseShare: 1 });
  });

  it('a new line after a sentence is a paragraph boundary, wherever the pause falls in it', () => {
    const text = 'First part ends here.\nSecond part starts here.';
    const w = analyzeSession(typed(text, { pauseAfter: { [text.indexOf('.')]: 9000 } })).metrics.writing!;
    expect(w.pauses.byLocation.beforeParagraph.pauses).toBe(1);
    expect(w.pauses.pausedBoundaries).toBe(1);
  });
});

/** Sessions that raise every detector between them. */
function flagged(): AnalysisResult[] {
  const kinds: [SimKind, number, Parameters<typeof simulate>[2]?][] = [
    ['copy', 1],
    ['paste', 1],
    ['mixed', 2],
    ['autotyper', 1, { autoVariant: 'untrusted' }],
    ['autotyper', 2, { autoVariant: 'keyless' }],
    ['autotyper', 3, { autoVariant: 'scripted' }],
    ['proctoring-violations', 1],
    ['proctoring-violations', 2],
  ];
  const out = kinds.map(([k, s, o]) => analyzeSession(simulate(k, s, o).events));
  // Programmatic insertion, a long absence and a burst after it.
  out.push(
    analyzeSession([
      { seq: 0, t: 0, type: 'focus', data: { state: 'focus' } },
      { seq: 1, t: 1000, type: 'text.op', data: { pos: 0, del: 0, ins: 'x'.repeat(120), cause: 'programmatic' } },
      { seq: 2, t: 2000, type: 'focus', data: { state: 'blur' } },
      { seq: 3, t: 400_000, type: 'focus', data: { state: 'focus' } },
      { seq: 4, t: 401_000, type: 'text.op', data: { pos: 120, del: 0, ins: 'y'.repeat(300), cause: 'type', trusted: false } },
    ]),
  );
  return out;
}

/** The numbers a flag's values and evidence explain: each value as is, as a percentage, in seconds or minutes. */
function explained(f: Flag): Set<string> {
  const ok = new Set<string>();
  const add = (x: number) => {
    if (!Number.isFinite(x)) return;
    for (const d of [0, 1, 2, 3, 4]) ok.add(String(Math.round(x * 10 ** d) / 10 ** d));
  };
  for (const v of Object.values(f.values)) {
    add(v);
    add(v * 100);
    add(v / 1000);
    add(v / 60_000);
  }
  return ok;
}

describe('every message states what was measured, with the numbers behind it', () => {
  const results = flagged();
  const flags = results.flatMap((r) => r.flags);

  it('the sessions raise every detector', () => {
    expect(new Set(flags.map((f) => f.detector))).toEqual(new Set(DETECTOR_NAMES));
  });

  it("each number in a message is one of the flag's values (or a threshold), and each time is the evidence's", () => {
    for (const f of flags) {
      const times = new Set([f.evidence.tFrom, f.evidence.tTo].map(clock));
      const clocks = f.message.match(/\b\d+:\d\d(?::\d\d)?\b/g) ?? [];
      for (const c of clocks) expect(times, `${f.detector}: time ${c} in "${f.message}"`).toContain(c);
      // "per 100" is a unit, not a measurement.
      const rest = f.message.replace(/\b\d+:\d\d(?::\d\d)?\b/g, ' ').replace(/per 100\b/g, ' ');
      const ok = explained(f);
      for (const n of rest.match(/\d+(?:\.\d+)?/g) ?? [])
        expect(ok, `${f.detector}: ${n} in "${f.message}" is not in its values ${JSON.stringify(f.values)}`).toContain(n);
    }
  });

  it('the transcription message claims no steady pace it did not measure: it names the pauses it counted', () => {
    const t = flags.find((f) => f.detector === 'transcription')!;
    expect(t.message).not.toMatch(/steady pace/);
    expect(t.message).toContain(`${t.values.pauses} pauses of 2 s or more in ${t.values.typedChars} typed characters`);
  });
});

describe('evidence points at moments', () => {
  it('transcription: the sentences started without a pause, with their seq and time ranges and their text', () => {
    const sim = simulate('copy', 2);
    const f = analyzeSession(sim.events).flags.find((x) => x.detector === 'transcription')!;
    const moments = f.evidence.moments!;
    expect(moments.length).toBeGreaterThan(3);
    expect(moments.length).toBeLessThanOrEqual(20);
    for (const m of moments) {
      expect(m.seqTo).toBeGreaterThanOrEqual(m.seqFrom);
      expect(m.tTo).toBeGreaterThanOrEqual(m.tFrom);
      const e = sim.events[m.seqFrom]!;
      expect(e.t).toBe(m.tFrom);
      // The excerpt is the text typed from there: it starts with the sentence's first character.
      expect(e.type === 'text.op' && e.data.ins).toBe(m.excerpt[0]);
    }
    expect(f.evidence.seqFrom).toBe(moments[0]!.seqFrom);
    expect(f.values.unpausedSentences).toBeGreaterThanOrEqual(moments.length);
  });

  it('machine-regular: the stretches of keys that were regular on their own', () => {
    const f = analyzeSession(simulate('autotyper', 3, { autoVariant: 'scripted' }).events).flags.find((x) => x.detector === 'machine-regular')!;
    expect(f.evidence.moments!.length).toBeGreaterThan(0);
    for (const m of f.evidence.moments!) expect(m.tFrom).toBeGreaterThanOrEqual(f.evidence.tFrom);
  });
});

describe('capture capabilities: absence of a signal is not evidence', () => {
  it('a text-only source is never flagged for keyless typing, and the result says what it could not check', () => {
    for (const seed of [1, 2, 3]) {
      const sim = simulate('text-only', seed);
      expect(sim.events.every((e) => e.type === 'text.op')).toBe(true);
      const r = analyzeSession(sim.events, sim.declared);
      expect(r.flags.map((f) => f.detector)).not.toContain('keyless-text');
      expect(r.capabilities).toEqual(TEXT_ONLY);
      expect(
        r.notChecked
          .filter((n) => !n.partly)
          .map((n) => n.detector)
          .sort(),
      ).toEqual(['burst-after-return', 'keyless-text', 'machine-regular', 'prolonged-absence', 'untrusted-input']);
      expect(r.notes.filter((n) => n.topic === 'not-captured').length).toBe(r.notChecked.length);
      // Without the declaration, the same session reads as typing with no key presses: the failure mode the declaration prevents.
      expect(analyzeSession(sim.events).flags.some((f) => f.detector === 'keyless-text' && f.severity === 'high')).toBe(true);
    }
  });

  it('a signal declared not captured is not read even when such events are present', () => {
    const events = simulate('autotyper', 1, { autoVariant: 'untrusted' }).events;
    const r = analyzeSession(events, { capabilities: { trustedFlags: false, keyHolds: false } });
    expect(r.flags.map((f) => f.detector)).not.toContain('untrusted-input');
    expect(r.notChecked).toContainEqual({ detector: 'machine-regular', missing: ['keyHolds'], partly: true });
    for (const f of r.flags.filter((x) => x.detector === 'machine-regular')) expect(f.message).not.toMatch(/hold|released/);
  });

  it('everything is taken as captured when nothing is declared (what the Veritas recorder captures)', () => {
    const r = analyzeSession(simulate('genuine', 1).events);
    expect(r.notChecked).toEqual([]);
    expect(Object.values(r.capabilities).every(Boolean)).toBe(true);
  });
});

describe('not enough data', () => {
  it('a 90-character session has no score and no risk label, only "not enough data", and its flags are still listed', () => {
    const events: VeritasEvent[] = [
      ...typed('A short start.'),
      { seq: 28, t: 10_000, type: 'clipboard', data: { action: 'paste', len: 76, hash: 'ab'.repeat(8) } },
      {
        seq: 29,
        t: 10_040,
        type: 'text.op',
        data: { pos: 14, del: 0, ins: ' Then a pasted passage that came from elsewhere and was not written here.', cause: 'paste' },
      },
    ];
    const r = analyzeSession(events);
    expect(r.metrics.writing!.revisions.insertedChars).toBeLessThan(DEFAULT_THRESHOLDS.minJudgedChars);
    expect(r.score).toMatchObject({ verdict: 'not-enough-data', integrity: null, risk: null, reasons: [] });
    expect(r.score.summary).toMatch(/^Not enough data/);
    expect(r.flags.some((f) => f.detector === 'external-paste')).toBe(true);
    expect(r.notes.some((n) => n.topic === 'little-data')).toBe(true);
  });

  it('a session with enough writing is scored', () => {
    expect(analyzeSession(simulate('genuine', 1).events).score.verdict).toBe('scored');
  });
});

describe('slow typists', () => {
  it('the key-overlap threshold applies as is up to 200 ms, falls to zero at 300 ms and stays there for slower typists', () => {
    const th = DEFAULT_THRESHOLDS;
    expect(overlapThresholdAt(th, 150)).toBe(th.machineMaxOverlap);
    expect(overlapThresholdAt(th, 250)).toBeCloseTo(th.machineMaxOverlap / 2, 6);
    expect(overlapThresholdAt(th, 300)).toBe(0);
    expect(overlapThresholdAt(th, 450)).toBe(0);
  });

  it('a slow typist with no key overlap at all is not taken for a machine; a fast one is', () => {
    const text = SENTENCES.join(' ').repeat(4);
    // Irregular intervals and holds, so only the overlap sign can fire.
    const irregular = (base: number) => {
      const ev = typed(text, { gap: base });
      let t = 0;
      return ev.map((e, i) => {
        if (e.type === 'text.op') t += base * (0.5 + ((i * 7919) % 100) / 100);
        return e.type === 'text.op' ? { ...e, t } : { ...e, t: t + 40 + ((i * 31) % 50), data: { ...e.data, hold: 40 + ((i * 31) % 50) } };
      }) as VeritasEvent[];
    };
    const slow = analyzeSession(irregular(380)).flags.find((f) => f.detector === 'machine-regular');
    expect(slow?.message ?? '').not.toMatch(/released/);
    expect(slow).toBeUndefined();
    const fast = analyzeSession(irregular(150)).flags.find((f) => f.detector === 'machine-regular');
    expect(fast?.message).toMatch(/pressed before the previous one was released/);
  });
});
