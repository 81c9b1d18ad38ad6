import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { VeritasEvent } from '@veritas/schema';
import { buildReplayIndex } from './replay-index';
import { encodeReplay } from './compact';
import { encodeReplayStream, LOOKAHEAD_EVENT_TYPES, type ReplayEventSource } from './replay-stream';

const ev = (seq: number, t: number, type: VeritasEvent['type'], data: unknown) => ({ seq, t, type, data }) as VeritasEvent;

/** A source over an array, in pages of `size`, as a repository would read it. */
function pagedSource(events: readonly VeritasEvent[], size: number, withCounts = false): ReplayEventSource & { reads: number } {
  const src = {
    reads: 0,
    ...(withCounts
      ? {
          async countByType() {
            const n: Record<string, number> = {};
            for (const e of events) n[e.type] = (n[e.type] ?? 0) + 1;
            return n;
          },
        }
      : {}),
    async *pages() {
      for (let i = 0; i < events.length; i += size) {
        src.reads++;
        yield events.slice(i, i + size);
      }
    },
    async *lookaheadPages() {
      const only = events.filter((e) => (LOOKAHEAD_EVENT_TYPES as readonly string[]).includes(e.type));
      for (let i = 0; i < only.length; i += size) yield only.slice(i, i + size);
    },
  };
  return src;
}

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of gen) out += chunk;
  return out;
}

/**
 * Typing whose key events follow their ops (the classifier looks ahead at them), a keyless
 * insertion, pastes whose clipboard event comes after the op, an internal paste, a selection,
 * time away, a metric and a snapshot that disagrees with the replayed text.
 */
function session(): VeritasEvent[] {
  const out: VeritasEvent[] = [];
  let t = 1000.25;
  const push = (type: VeritasEvent['type'], data: unknown) => out.push(ev(out.length, (t += 31.5), type, data));
  for (let i = 0; i < 50; i++) {
    push('text.op', { pos: i, del: 0, ins: 'abcdefghij'[i % 10], cause: 'type' });
    push('key', { class: 'char', hold: 40 });
  }
  t += 5000;
  push('text.op', { pos: 50, del: 0, ins: 'Z', cause: 'type' });
  push('text.op', { pos: 51, del: 0, ins: 'pasted from outside', cause: 'paste' });
  push('clipboard', { action: 'paste', len: 19, hash: 'bb00000000000001' });
  push('clipboard', { action: 'copy', len: 5, hash: 'aa00000000000002' });
  push('text.op', { pos: 0, del: 0, ins: 'abcde', cause: 'paste' });
  push('clipboard', { action: 'paste', len: 5, hash: 'aa00000000000002' });
  push('selection', { start: 3, end: 9 });
  push('focus', { state: 'blur' });
  push('focus', { state: 'focus' });
  push('metrics', { values: { engagement: 0.75 } });
  push('snapshot', { text: 'something else entirely' });
  push('text.op', { pos: 23, del: 0, ins: '!', cause: 'type' });
  push('key', { class: 'char', hold: 30 });
  return out;
}

describe('encodeReplayStream', () => {
  const options = { initialText: 'Title\n', sessionId: 'streamSession0001', kind: 'writing' as const };

  it('sends the same lines as encoding the whole index, whatever the page size', async () => {
    const events = session();
    const whole = encodeReplay(buildReplayIndex(events, options), { chunkRows: 16 });
    for (const [size, withCounts] of [
      [1, false],
      [3, true],
      [7, false],
      [1000, true],
    ] as const) {
      const src = pagedSource(events, size, withCounts);
      expect(await collect(encodeReplayStream(src, { ...options, chunkRows: 16 }))).toBe(whole);
      expect(src.reads).toBe(Math.ceil(events.length / size));
    }
  });

  it('keeps the origins that depend on later events (keys after ops, clipboard after pastes)', async () => {
    const text = await collect(encodeReplayStream(pagedSource(session(), 4), options));
    const ops = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.k === 'ops')
      .flatMap((l) => l.o as number[]);
    // Typed with keys, a keyless 'Z', an external and an internal paste, then restored text and typing.
    expect(new Set(ops).size).toBeGreaterThanOrEqual(4);
    expect(text).toBe(encodeReplay(buildReplayIndex(session(), options)));
  });

  it('matches the whole-index encoding on random sessions', async () => {
    const step = fc.oneof(
      fc.record({
        type: fc.constant('text.op' as const),
        data: fc.record({
          pos: fc.nat({ max: 30 }),
          del: fc.nat({ max: 4 }),
          ins: fc.string({ maxLength: 6 }),
          cause: fc.constantFrom('type', 'paste', 'undo', 'ime', 'programmatic'),
        }),
      }),
      fc.record({
        type: fc.constant('key' as const),
        data: fc.record({ class: fc.constantFrom('char', 'backspace', 'space'), hold: fc.integer({ min: 0, max: 200 }) }),
      }),
      fc.record({
        type: fc.constant('clipboard' as const),
        data: fc.record({ action: fc.constantFrom('copy', 'paste'), len: fc.nat({ max: 9 }), hash: fc.constantFrom('aa00000000000001', 'bb00000000000002') }),
      }),
      fc.record({ type: fc.constant('selection' as const), data: fc.record({ start: fc.nat({ max: 30 }), end: fc.nat({ max: 30 }) }) }),
      fc.record({ type: fc.constant('snapshot' as const), data: fc.record({ text: fc.string({ maxLength: 12 }) }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(step, fc.integer({ min: 1, max: 900 })), { maxLength: 80 }), fc.integer({ min: 1, max: 20 }), async (steps, size) => {
        let t = 0;
        const events = steps.map(([s, dt], seq) => ({ ...s, seq, t: (t += dt) }) as VeritasEvent);
        const whole = encodeReplay(buildReplayIndex(events, options), { chunkRows: 64 });
        expect(await collect(encodeReplayStream(pagedSource(events, size), { ...options, chunkRows: 64 }))).toBe(whole);
        expect(await collect(encodeReplayStream(pagedSource(events, size, true), { ...options, chunkRows: 64 }))).toBe(whole);
      }),
      { numRuns: 150 },
    );
  });
});
