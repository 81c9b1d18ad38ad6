import { describe, expect, it } from 'vitest';
import { LIMITS, type Batch } from '@veritas/schema';
import { advance, decide, type SessionState } from './ingest-decide';

const state = (over: Partial<SessionState> = {}): SessionState => ({
  id: 's',
  status: 'active',
  next_seq: 10,
  head_hash: 'h9',
  last_t: 900,
  changed: false,
  ...over,
});
const batch = (firstSeq: number, n: number, prevHash: string, t0 = 1000): Batch => ({
  firstSeq,
  prevHash,
  hash: `h${firstSeq + n - 1}`,
  events: Array.from({ length: n }, (_, i) => ({ seq: firstSeq + i, t: t0 + i, type: 'mark' as const, data: { label: 'x' } })),
});

describe('decide', () => {
  it('appends the batch at next_seq that carries the head hash', () => {
    expect(decide(state(), batch(10, 5, 'h9')).kind).toBe('append');
  });
  it('refuses a batch at next_seq with another prevHash', () => {
    const d = decide(state(), batch(10, 5, 'other'));
    expect(d.kind === 'reject' && d.error.code).toBe('broken-chain');
  });
  it('sends a batch wholly below next_seq to the stored-hash check, and refuses one overlapping it', () => {
    expect(decide(state(), batch(5, 5, 'h4')).kind).toBe('check-stored');
    const d = decide(state(), batch(8, 5, 'h7'));
    expect(d.kind === 'reject' && d.error.code).toBe('seq-conflict');
  });
  it('holds a batch ahead within the window, refuses one beyond', () => {
    expect(decide(state(), batch(20, 5, 'h19')).kind).toBe('hold');
    const d = decide(state(), batch(10 + LIMITS.seqWindow + 1, 5, 'x'));
    expect(d.kind === 'reject' && d.error.code).toBe('seq-gap-too-large');
  });
  it('refuses new events for an ended session but still recognises a retry', () => {
    const ended = state({ status: 'ended' });
    const d = decide(ended, batch(10, 5, 'h9'));
    expect(d.kind === 'reject' && d.error.code).toBe('session-ended');
    expect(decide(ended, batch(5, 5, 'h4')).kind).toBe('check-stored');
  });
  it('refuses time going back across batches', () => {
    const d = decide(state(), batch(10, 2, 'h9', 800));
    expect(d.kind === 'reject' && d.error.code).toBe('invalid-event');
  });
  it('advance moves the position past the batch', () => {
    const s = state();
    advance(s, batch(10, 5, 'h9'));
    expect(s).toMatchObject({ next_seq: 15, head_hash: 'h14', last_t: 1004, changed: true });
  });
});

describe('consent on the first events (ADR 0029)', () => {
  const fresh = (consent: SessionState['consent']) => state({ next_seq: 0, head_hash: 'g', last_t: 0, ...(consent ? { consent } : {}) });
  const consentFirst = (policy: string, accepted = true): Batch => ({
    firstSeq: 0,
    prevHash: 'g',
    hash: 'h1',
    events: [
      { seq: 0, t: 0, type: 'consent', data: { policy, accepted } },
      { seq: 1, t: 5, type: 'mark', data: { label: 'x' } },
    ],
  });
  const code = (d: ReturnType<typeof decide>) => (d.kind === 'reject' ? d.error.code : d.kind);

  it('takes first events that start with the consent to the current text, from a person who agreed', () => {
    expect(code(decide(fresh({ policy: 'p/v2', agreed: true }), consentFirst('p/v2')))).toBe('append');
  });
  it('refuses first events without it, with another policy, not accepted, or from a person who never agreed', () => {
    expect(code(decide(fresh({ policy: 'p/v2', agreed: true }), batch(0, 2, 'g', 0)))).toBe('consent-required');
    expect(code(decide(fresh({ policy: 'p/v2', agreed: true }), consentFirst('p/v1')))).toBe('consent-required');
    expect(code(decide(fresh({ policy: 'p/v2', agreed: true }), consentFirst('p/v2', false)))).toBe('consent-required');
    expect(code(decide(fresh({ policy: 'p/v2', agreed: false }), consentFirst('p/v2')))).toBe('consent-required');
    expect(code(decide(fresh({ policy: null, agreed: true }), consentFirst('p/v2')))).toBe('consent-required');
  });
  it('asks nothing where consent is not required, and holds a batch ahead until the first arrives', () => {
    expect(code(decide(fresh(undefined), batch(0, 2, 'g', 0)))).toBe('append');
    expect(code(decide(fresh({ policy: 'p/v2', agreed: false }), batch(5, 2, 'x', 10)))).toBe('hold');
  });
});
