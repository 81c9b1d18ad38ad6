import { describe, expect, it } from 'vitest';
import { checkEvents, parseBundle, BUNDLE_FORMAT } from './index';

describe('checkEvents', () => {
  it('accepts well-formed events of every kind', () => {
    const events = [
      { seq: 5, t: 0, type: 'consent', data: { policy: 'v1', accepted: true } },
      { seq: 6, t: 1, type: 'text.op', data: { pos: 0, del: 0, ins: 'hi', cause: 'type', trusted: true } },
      { seq: 7, t: 2, type: 'key', data: { class: 'char', hold: 80 } },
      { seq: 8, t: 3, type: 'clipboard', data: { action: 'paste', len: 2, hash: 'a'.repeat(16) } },
      { seq: 9, t: 4, type: 'sensor', data: { kind: 'accel', samples: [[4, 0.1, 0.2, 9.8]] } },
      { seq: 10, t: 4, type: 'metrics', data: { values: { confusion: 0.2, faceDetected: true } } },
      { seq: 11, t: 5, type: 'custom', data: { name: 'x', data: { any: [1] } } },
    ];
    const r = checkEvents(5, events);
    expect(r.ok).toBe(true);
  });

  it('names the path of each problem', () => {
    const r = checkEvents(0, [
      { seq: 0, t: 5, type: 'text.op', data: { pos: -1, del: 0, ins: '', cause: 'type' } },
      { seq: 2, t: 4, type: 'mark', data: { label: 'x' } },
      { seq: 3, t: 6, type: 'nope', data: {} },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['/events/0/data/pos', '/events/1/seq', '/events/1/t', '/events/2/type']);
    expect(r.issues[3]!.message).toContain('unknown event type');
  });

  it('refuses key identities: a key event carries no key field', () => {
    const r = checkEvents(0, [{ seq: 0, t: 0, type: 'key', data: { class: 'char', hold: 1, key: 'a' } }]);
    expect(r.ok).toBe(false);
  });
});

describe('parseBundle', () => {
  it('rejects an unknown format with a clear message', () => {
    const r = parseBundle({ format: 'veritas.bundle/v9', session: {}, batches: [] });
    expect(r).toEqual({ ok: false, issues: [{ path: '/format', message: 'unknown bundle format "veritas.bundle/v9"' }] });
  });
  it('accepts a minimal v1 bundle', () => {
    const r = parseBundle({
      format: BUNDLE_FORMAT,
      session: { id: 'abcdefghijklmnop', kind: 'writing', createdAt: '2026-01-01T00:00:00.000Z' },
      batches: [],
    });
    expect(r.ok).toBe(true);
  });
});
