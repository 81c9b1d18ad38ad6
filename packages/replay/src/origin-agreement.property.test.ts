import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ORIGIN_CODE as C, type VeritasEvent } from '@veritas/schema';
import { analyzeSession, textOrigins } from '@veritas/analysis';
import { simulate, SIM_KINDS, type SimKind } from '@veritas/simulator';
import { buildReplayIndex } from './replay-index';
import { expandRuns } from './origin';

const WRITING = SIM_KINDS.filter((k) => !k.startsWith('proctoring') && k !== 'sensor') as SimKind[];

/**
 * Typed and "no keystrokes" differ only by the key events after an op, which the viewer sees and
 * the streaming analysis cannot; every other origin (pastes above all) must be the same.
 */
const comparable = (code: number) => (code === C['no-keystrokes'] ? C.typed : code);

function agree(events: VeritasEvent[], initialText = '', assistiveTechnology = false): void {
  const index = buildReplayIndex(events, { initialText, assistiveTechnology });
  const viewer = index.stateAt(events[events.length - 1]?.seq ?? -1);
  const analysis = textOrigins(events, { initialText, assistiveTechnology });
  expect(viewer.text).toBe(analysis.text);
  const v = Array.from(expandRuns(viewer.origins), comparable);
  const a = Array.from(analysis.origins, comparable);
  expect(v).toEqual(a);
  // The paste figures: what the analysis counts as pasted from outside and from this session is
  // exactly what the viewer marks, paste by paste and character by character in the final text.
  const w = analyzeSession(events, { initialText, assistiveTechnology }).metrics.writing;
  const marks = index.data.pastes;
  const sum = (origin: string) => marks.filter((m) => m.origin === origin).reduce((n, m) => n + m.len, 0);
  expect(w?.paste.external.chars ?? 0).toBe(sum('paste-external'));
  expect(w?.paste.internal.chars ?? 0).toBe(sum('paste-internal'));
  expect(w?.paste.external.count ?? 0).toBe(marks.filter((m) => m.origin === 'paste-external').length);
  const externalInFinal = v.filter((c) => c === C['paste-external']).length;
  if (w && w.revisions.finalLength > 0) expect(w.paste.shareOfFinal).toBeCloseTo(externalInFinal / w.revisions.finalLength, 4);
}

describe('one origin classifier: the viewer and the analysis agree (property)', () => {
  it('on simulated sessions of every writing kind, character for character and paste for paste', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WRITING), fc.integer({ min: 1, max: 10_000 }), (kind, seed) => {
        const sim = simulate(kind, seed);
        agree(sim.events, '', sim.declared.assistiveTechnology);
      }),
      { numRuns: 40 },
    );
  });

  it('on simulated sessions with the clipboard events dropped (pastes judged from the text alone)', () => {
    fc.assert(
      fc.property(fc.constantFrom<SimKind>('genuine', 'paste', 'mixed'), fc.integer({ min: 1, max: 10_000 }), (kind, seed) => {
        const events = simulate(kind, seed)
          .events.filter((e) => e.type !== 'clipboard')
          .map((e, seq) => ({ ...e, seq }));
        agree(events);
      }),
      { numRuns: 20 },
    );
  });

  it('with malformed ops (positions and deletions past the end), both clamp them the same way', () => {
    const op = fc.record({
      pos: fc.nat(40),
      del: fc.nat(40),
      ins: fc.string({ maxLength: 8 }),
      cause: fc.constantFrom('type', 'paste', 'drop', 'undo', 'programmatic', 'ime'),
    });
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.array(op, { maxLength: 40 }), (init, ops) => {
        const events = ops.map((data, seq) => ({ seq, t: seq * 50, type: 'text.op', data }) as VeritasEvent);
        agree(events, init);
      }),
      { numRuns: 200 },
    );
  });

  it('an assistive-technology writer: predicted words are an input method in both, never pasting or automation', () => {
    const sim = simulate('assistive', 3);
    agree(sim.events, '', true);
    const index = buildReplayIndex(sim.events, { assistiveTechnology: true });
    const origins = new Set(expandRuns(index.stateAt(sim.events.length - 1).origins));
    // Predicted words are the input method; letters typed on the on-screen keyboard (no key events in the session at all) stay typed.
    expect(origins.has(C['input-method'])).toBe(true);
    for (const o of origins) expect([C.typed, C['input-method']]).toContain(o);
  });

  it('a deletion past the end of the text deletes only what is there, in both', () => {
    const events = [
      { seq: 0, t: 0, type: 'text.op', data: { pos: 0, del: 0, ins: 'abc', cause: 'type' } },
      { seq: 1, t: 100, type: 'text.op', data: { pos: 1, del: 50, ins: '', cause: 'type' } },
    ] as VeritasEvent[];
    const r = analyzeSession(events);
    expect(r.metrics.writing!.revisions).toMatchObject({ insertedChars: 3, deletedChars: 2, finalLength: 1 });
    const index = buildReplayIndex(events);
    expect(index.stateAt(1).text).toBe('a');
    expect(index.data.ops.del[1]).toBe(2);
  });
});
