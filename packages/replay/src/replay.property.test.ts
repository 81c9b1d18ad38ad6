import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { VeritasEvent } from '@veritas/schema';
import { buildReplayIndex } from './replay-index';
import { replayNaive } from './naive';
import { expandRuns, ORIGIN_CODE as C, runsLength } from './origin';
import { decodeReplay, encodeReplayChunks } from './compact';

type Step =
  | { kind: 'op'; pos: number; del: number; ins: string; cause: 'type' | 'ime' | 'programmatic' | 'cut' | 'undo'; trusted?: boolean }
  | { kind: 'paste'; pos: number; del: number; ins: string; internal: boolean }
  | { kind: 'select'; start: number; end: number }
  | { kind: 'snapshot'; text: string }
  | { kind: 'mark' };

// Small alphabet with a lone surrogate, so splits inside surrogate pairs are exercised too.
const chars = fc.constantFrom('a', 'b', ' ', '\n', 'é', '\ud83d', '\ude00');
const text = (max: number) => fc.array(chars, { maxLength: max }).map((a) => a.join(''));
const pos = fc.nat({ max: 40 });

function stepArb(withUndo: boolean) {
  const causes = withUndo ? (['type', 'ime', 'programmatic', 'cut', 'undo'] as const) : (['type', 'ime', 'programmatic', 'cut'] as const);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('op' as const),
        pos,
        del: fc.nat({ max: 6 }),
        ins: text(4),
        cause: fc.constantFrom(...causes),
        trusted: fc.option(fc.boolean(), { nil: undefined }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('paste' as const), pos, del: fc.nat({ max: 3 }), ins: text(12), internal: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('select' as const), start: pos, end: pos }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const), text: text(20) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('mark' as const) }) },
  );
}

/** Turns steps into events; a paste gets its clipboard event just before it. */
function toEvents(steps: Step[]): VeritasEvent[] {
  const out: VeritasEvent[] = [];
  let t = 0;
  const push = (e: Omit<VeritasEvent, 'seq' | 't'>) => out.push({ ...e, seq: out.length, t: (t += 7) } as VeritasEvent);
  for (const s of steps) {
    if (s.kind === 'op')
      push({ type: 'text.op', data: { pos: s.pos, del: s.del, ins: s.ins, cause: s.cause, ...(s.trusted === undefined ? {} : { trusted: s.trusted }) } });
    else if (s.kind === 'paste') {
      push({ type: 'clipboard', data: { action: 'paste', len: s.ins.length, hash: '0'.repeat(16), internal: s.internal } });
      push({ type: 'text.op', data: { pos: s.pos, del: s.del, ins: s.ins, cause: 'paste' } });
    } else if (s.kind === 'select') push({ type: 'selection', data: { start: s.start, end: s.end } });
    else if (s.kind === 'snapshot') push({ type: 'snapshot', data: { text: s.text } });
    else push({ type: 'mark', data: { label: 'm' } });
  }
  return out;
}

/** The per-character origin model, written from the rules rather than from the index. */
function naiveOrigins(events: VeritasEvent[], seq: number, init: string): number[] {
  let text = init;
  let origins: number[] = Array.from({ length: init.length }, () => C.initial);
  let lastPasteInternal = false;
  for (const e of events) {
    if (e.seq > seq) break;
    if (e.type === 'clipboard') lastPasteInternal = e.data.internal === true;
    if (e.type === 'snapshot') {
      const next = e.data.text;
      let a = 0;
      const max = Math.min(text.length, next.length);
      while (a < max && text[a] === next[a]) a++;
      let b = 0;
      while (b < max - a && text[text.length - 1 - b] === next[next.length - 1 - b]) b++;
      origins = [...origins.slice(0, a), ...Array.from({ length: next.length - a - b }, () => C.restored), ...origins.slice(text.length - b)];
      text = next;
    }
    if (e.type !== 'text.op') continue;
    const { ins, cause } = e.data;
    const p = Math.min(e.data.pos, text.length);
    const d = Math.min(e.data.del, text.length - p);
    const code =
      cause === 'paste'
        ? lastPasteInternal
          ? C['paste-internal']
          : C['paste-external']
        : cause === 'ime'
          ? C['input-method']
          : cause === 'programmatic' || e.data.trusted === false
            ? C['no-keystrokes']
            : C.typed;
    text = text.slice(0, p) + ins + text.slice(p + d);
    origins = [...origins.slice(0, p), ...Array.from({ length: ins.length }, () => code), ...origins.slice(p + d)];
  }
  return origins;
}

const settings = { numRuns: 150 };

describe('replay index against naive replay (property)', () => {
  it('the text at every seq equals naive replay from the start, within K ops of a keyframe', () => {
    fc.assert(
      fc.property(fc.array(stepArb(true), { maxLength: 60 }), text(10), fc.integer({ min: 1, max: 9 }), (steps, init, K) => {
        const events = toEvents(steps);
        const index = buildReplayIndex(events, { keyframeEvery: K, initialText: init });
        for (let seq = -1; seq < events.length; seq++) {
          const state = index.stateAt(seq);
          expect(state.text).toBe(replayNaive(events, seq, init));
          expect(state.applied).toBeLessThanOrEqual(K);
          expect(state.applied).toBeGreaterThanOrEqual(0);
          expect(runsLength(state.origins)).toBe(state.text.length);
        }
        // Keyframes: first holds the initial text, each at most K ops after the one before.
        expect(index.keyframes[0]!.text).toBe(init);
        for (let i = 1; i < index.keyframes.length; i++) {
          const kf = index.keyframes[i]!;
          expect(kf.opCount - index.keyframes[i - 1]!.opCount).toBeLessThanOrEqual(K);
          expect(kf.text).toBe(replayNaive(events, index.data.ops.seq[kf.opCount - 1]!, init));
        }
      }),
      settings,
    );
  });

  it('origins at every seq follow the rules character by character', () => {
    fc.assert(
      fc.property(fc.array(stepArb(false), { maxLength: 50 }), text(6), fc.integer({ min: 1, max: 6 }), (steps, init, K) => {
        const events = toEvents(steps);
        const index = buildReplayIndex(events, { keyframeEvery: K, initialText: init });
        for (let seq = -1; seq < events.length; seq++) {
          expect(Array.from(expandRuns(index.originsAt(seq)))).toEqual(naiveOrigins(events, seq, init));
        }
      }),
      settings,
    );
  });

  it('a cursor moved anywhere, and the compact form decoded in small chunks, agree with the index', () => {
    fc.assert(
      fc.property(
        fc.array(stepArb(true), { minLength: 1, maxLength: 50 }),
        fc.array(fc.integer({ min: -1, max: 120 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        (steps, moves, K) => {
          const events = toEvents(steps);
          const index = buildReplayIndex(events, { keyframeEvery: K, initialText: 'x' });
          const cursor = index.cursor();
          for (const m of moves) {
            const seq = Math.min(m, events.length - 1);
            cursor.moveTo(seq);
            expect(cursor.text()).toBe(index.textAt(seq));
            expect(cursor.origins()).toEqual(index.originsAt(seq));
            expect(cursor.lastCost).toBeLessThanOrEqual(K);
          }
          const decoded = decodeReplay(encodeReplayChunks(index, { chunkRows: 3 }));
          for (let seq = -1; seq < events.length; seq++) {
            expect(decoded.textAt(seq)).toBe(index.textAt(seq));
            expect(decoded.originsAt(seq)).toEqual(index.originsAt(seq));
            expect(decoded.caretAt(seq)).toEqual(index.caretAt(seq));
          }
          expect(decoded.keyframes.map((k) => k.opCount)).toEqual(index.keyframes.map((k) => k.opCount));
        },
      ),
      settings,
    );
  });
});
