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
