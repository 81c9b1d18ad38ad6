import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { buildReplayIndex } from './replay-index';
import { createReplayDecoder, decodeReplay, encodeReplay, encodeReplayChunks, ReplayDecodeError } from './compact';

const ev = (seq: number, t: number, type: VeritasEvent['type'], data: unknown) => ({ seq, t, type, data }) as VeritasEvent;

function sample(step = 33.5): VeritasEvent[] {
  const out: VeritasEvent[] = [];
  let t = 0.125;
  const push = (type: VeritasEvent['type'], data: unknown) => out.push(ev(out.length, (t += step), type, data));
  for (let i = 0; i < 40; i++) {
    push('text.op', { pos: i, del: 0, ins: String.fromCharCode(97 + (i % 26)), cause: 'type' });
    push('key', { class: 'char', hold: 20.5 });
  }
  push('text.op', { pos: 3, del: 10, ins: '', cause: 'cut' });
  push('text.op', { pos: 3, del: 0, ins: 'defghijklm', cause: 'undo' });
  push('focus', { state: 'blur' });
  push('focus', { state: 'focus' });
  push('metrics', { values: { engagement: 0.5 } });
  push('sensor', { kind: 'gyro', samples: [[t, 1, 2, 3]] });
  push('selection', { start: 2, end: 7 });
  return out;
}

describe('compact form', () => {
  const index = buildReplayIndex(sample(), { keyframeEvery: 8, initialText: 'Title\n', sessionId: 'abcdefghijklmnop' });

  it('round-trips every part, streamed in chunks split at arbitrary places', () => {
    const text = encodeReplay(index, { chunkRows: 5 });
    const dec = createReplayDecoder();
    for (let i = 0; i < text.length; i += 37) dec.push(text.slice(i, i + 37));
    const back = dec.finish();
    const strip = (d: typeof index.data) =>
      JSON.parse(JSON.stringify({ ...d, ops: { ...d.ops, mixed: [...d.ops.mixed] } }, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Uint8Array) : v)));
    expect(strip(back.data)).toEqual(strip(index.data));
    expect(back.keyframes).toEqual(index.keyframes);
    expect(back.finalText()).toBe(index.finalText());
    expect(dec.progress).toEqual({ ops: 42, totalOps: 42 });
    expect(index.data.ops.mixed.size).toBe(0); // the undo restored one origin: typed
  });

  it('keeps times to the microsecond and is small for typing', () => {
    const noisy = buildReplayIndex(sample(33.3337));
    const back = decodeReplay(encodeReplayChunks(noisy));
    expect(Array.from(back.data.clock.t)).toEqual(Array.from(noisy.data.clock.t, (t) => Math.round(t * 1000) / 1000));
    const opsLine = encodeReplay(index)
      .split('\n')
      .find((l) => l.startsWith('{"k":"ops"'))!;
    expect(opsLine.length / index.opCount).toBeLessThan(40);
  });

  it('refuses a stream that is cut short, of another format, or without its head', () => {
    const lines = encodeReplay(index, { chunkRows: 4 }).trim().split('\n');
    expect(() => decodeReplay(lines.slice(0, -1).join('\n'))).toThrow(/cut short/);
    expect(() => decodeReplay(lines.filter((l) => !l.includes('"k":"ops"') || l.includes('"from":0,')).join('\n'))).toThrow(ReplayDecodeError);
    expect(() => decodeReplay(lines[0]!.replace('veritas.replay/v1', 'veritas.replay/v9'))).toThrow(/unknown replay format/);
    expect(() => decodeReplay(lines.slice(1).join('\n'))).toThrow(/head/);
    expect(() => decodeReplay('')).toThrow(/empty/);
  });
});
