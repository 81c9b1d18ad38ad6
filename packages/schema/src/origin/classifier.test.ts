import { describe, expect, it } from 'vitest';
import type { EventOf, VeritasEvent } from '../events';
import { OriginClassifier, PASTE_PAIR_MS, PASTE_PAIR_SEQS } from './classifier';
import { ORIGIN_CODE as C } from './origins';

let seq = 0;
const op = (t: number, pos: number, del: number, ins: string, cause: EventOf<'text.op'>['data']['cause'], extra = {}) =>
  ({ seq: seq++, t, type: 'text.op', data: { pos, del, ins, cause, ...extra } }) as EventOf<'text.op'>;
const clip = (t: number, action: 'copy' | 'cut' | 'paste', hash: string) =>
  ({ seq: seq++, t, type: 'clipboard', data: { action, len: 3, hash } }) as EventOf<'clipboard'>;
const codes = (c: OriginClassifier) => Array.from(c.text.originsOf(0, c.text.length));

describe('OriginClassifier: the one rule for where each character came from', () => {
  it('a paste pairs with the clipboard paste event at most 2 s and 8 events before it; internal when its hash was copied here', () => {
    seq = 0;
    const c = new OriginClassifier();
    c.op(op(0, 0, 0, 'abc', 'type'));
    c.clipboard(clip(100, 'copy', 'aa'.repeat(8)));
    c.clipboard(clip(200, 'paste', 'aa'.repeat(8)));
    expect(c.op(op(200 + PASTE_PAIR_MS, 3, 0, 'XYZ', 'paste')).paste).toMatchObject({ internal: true, clipboardSeq: 2 });
    // Too late: the paste event is not this op's, and 'QRS' is nowhere in the text: from outside.
    c.clipboard(clip(5000, 'paste', 'aa'.repeat(8)));
    expect(c.op(op(5001 + PASTE_PAIR_MS, 6, 0, 'QRS', 'paste')).paste).toMatchObject({ internal: false });
    // Too many events between.
    c.clipboard(clip(9000, 'paste', 'aa'.repeat(8)));
    seq += PASTE_PAIR_SEQS;
    expect(c.op(op(9001, 9, 0, 'TUV', 'paste')).origin).toBe(C['paste-external']);
    expect(codes(c)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
  });

  it('an unpaired paste or a drop of text just deleted, or already in the document, is from this session', () => {
    seq = 0;
    const c = new OriginClassifier('Given text. ');
    c.op(op(0, 12, 0, 'Typed here.', 'type'));
    expect(c.op(op(10, 0, 0, 'Typed', 'paste')).origin).toBe(C['paste-internal']);
    c.op(op(20, 0, 5, '', 'drop'));
    expect(c.op(op(30, 10, 0, 'Typed', 'drop')).origin).toBe(C['paste-internal']);
    expect(c.op(op(40, 0, 0, 'elsewhere', 'drop')).origin).toBe(C['paste-external']);
  });

  it('input methods, programmatic and untrusted ops, undo restoring mixed origins, and a snapshot that disagrees', () => {
    seq = 0;
    const c = new OriginClassifier('G');
    c.op(op(0, 1, 0, 'k', 'ime'));
    c.op(op(1, 2, 0, 'p', 'programmatic'));
    c.op(op(2, 3, 0, 'u', 'type', { trusted: false }));
    c.op(op(3, 4, 0, 'n', 'type'), true);
    expect(codes(c)).toEqual([C.initial, C['input-method'], C['no-keystrokes'], C['no-keystrokes'], C['no-keystrokes']]);
    c.op(op(4, 0, 3, '', 'cut'));
    const undo = c.op(op(5, 0, 0, 'Gkp', 'undo'));
    expect(Array.from(undo.origins!)).toEqual([C.initial, C['input-method'], C['no-keystrokes']]);
    const snap = c.snapshot({ seq: seq++, t: 6, type: 'snapshot', data: { text: 'GkXun' } } as VeritasEvent & { type: 'snapshot' });
    expect(snap).toMatchObject({ pos: 2, del: 1, ins: 'X', origin: C.restored });
    expect(c.snapshot({ seq: seq++, t: 7, type: 'snapshot', data: { text: 'GkXun' } } as VeritasEvent & { type: 'snapshot' })).toBeNull();
  });

  it('an op past the end of the text is clamped: a deletion removes only what is there', () => {
    seq = 0;
    const c = new OriginClassifier('abc');
    expect(c.op(op(0, 2, 99, '', 'type'))).toMatchObject({ pos: 2, del: 1 });
    expect(c.op(op(1, 50, 3, 'z', 'type'))).toMatchObject({ pos: 2, del: 0 });
    expect(c.text.toString()).toBe('abz');
  });
});
