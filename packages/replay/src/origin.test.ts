import { describe, expect, it } from 'vitest';
import type { VeritasEvent } from '@veritas/schema';
import { buildReplayIndex } from './replay-index';
import { runsToSpans } from './origin';

/** A session builder: each call appends one event with the next seq at time t. */
function session() {
  const events: VeritasEvent[] = [];
  const add = (t: number, type: VeritasEvent['type'], data: unknown) => {
    events.push({ seq: events.length, t, type, data } as VeritasEvent);
    return api;
  };
  const api = {
    events,
    add,
    type: (t: number, pos: number, ins: string, hold = 60) =>
      add(t, 'text.op', { pos, del: 0, ins, cause: 'type' }).add(t + hold - 10, 'key', { class: 'char', hold }),
    op: (t: number, pos: number, del: number, ins: string, cause: string, extra: object = {}) => add(t, 'text.op', { pos, del, ins, cause, ...extra }),
    clip: (t: number, action: 'copy' | 'cut' | 'paste', hash: string, len = 3) => add(t, 'clipboard', { action, len, hash }),
  };
  return api;
}

const spans = (events: VeritasEvent[], initialText?: string) => {
  const index = buildReplayIndex(events, initialText ? { initialText } : {});
  return runsToSpans(index.originsAt(index.lastSeq)).map((s) => `${s.origin}:${s.from}-${s.to}`);
};

describe('origins', () => {
  it('typed text is backed by a key held while it was inserted; text with no key down is inserted without keystrokes', () => {
    const s = session().type(100, 0, 'a').type(200, 1, 'b').op(300, 2, 0, 'c', 'type');
    expect(spans(s.events)).toEqual(['typed:0-2', 'no-keystrokes:2-3']);
  });

  it('when no keys were recorded at all, trusted typing counts as typed and untrusted as without keystrokes', () => {
    const s = session().op(10, 0, 0, 'ab', 'type').op(20, 2, 0, 'cd', 'type', { trusted: false });
    expect(spans(s.events)).toEqual(['typed:0-2', 'no-keystrokes:2-4']);
  });

  it('a paste is internal when its hash matches an earlier copy or cut, external otherwise', () => {
    const s = session()
      .op(10, 0, 0, 'abc', 'type')
      .clip(20, 'copy', 'aaaaaaaaaaaaaaaa')
      .clip(30, 'paste', 'aaaaaaaaaaaaaaaa')
      .op(31, 3, 0, 'abc', 'paste')
      .clip(40, 'paste', 'bbbbbbbbbbbbbbbb')
      .op(41, 6, 0, 'XYZ', 'paste');
    expect(spans(s.events)).toEqual(['typed:0-3', 'paste-internal:3-6', 'paste-external:6-9']);
    const index = buildReplayIndex(s.events);
    expect(index.data.pastes.map((p) => [p.origin, p.excerpt])).toEqual([
      ['paste-internal', 'abc'],
      ['paste-external', 'XYZ'],
    ]);
  });

  it('a paste before any copy is external even if a copy of the same text comes later', () => {
    const s = session().clip(5, 'paste', 'cccccccccccccccc').op(6, 0, 0, 'hey', 'paste').clip(9, 'copy', 'cccccccccccccccc');
    expect(spans(s.events)).toEqual(['paste-external:0-3']);
  });

  it('dictation, IME and autocorrect are input methods, not pastes', () => {
    const s = session().op(10, 0, 0, 'hello ', 'dictation').op(20, 6, 0, '日本', 'ime').op(30, 0, 5, 'Hello', 'autocorrect');
    expect(spans(s.events)).toEqual(['input-method:0-8']);
    expect(buildReplayIndex(s.events).data.pastes).toEqual([]);
  });

  it('undo and redo put back text with the origins it had when it was removed', () => {
    const s = session()
      .op(10, 0, 0, 'ab', 'type')
      .clip(11, 'paste', 'dddddddddddddddd')
      .op(12, 2, 0, 'PASTE', 'paste')
      .op(20, 0, 7, '', 'cut')
      .op(30, 0, 0, 'abPASTE', 'undo');
    expect(spans(s.events)).toEqual(['typed:0-2', 'paste-external:2-7']);
  });

  it('a drop of text that was just dragged out of the document is internal; from elsewhere, external', () => {
    const s = session().op(10, 0, 0, 'one two', 'type').op(20, 3, 4, '', 'drop').op(21, 0, 0, ' two', 'drop').op(30, 0, 0, 'NEW', 'drop');
    expect(spans(s.events)).toEqual(['paste-external:0-3', 'paste-internal:3-7', 'typed:7-10']);
  });

  it('given text keeps its own origin; a snapshot that disagrees restores the text and names the changed part', () => {
    const s = session().op(10, 5, 0, '!', 'type').add(20, 'snapshot', { text: 'Hello world!' });
    const index = buildReplayIndex(s.events, { initialText: 'Hello' });
    expect(index.finalText()).toBe('Hello world!');
    expect(runsToSpans(index.originsAt(index.lastSeq)).map((x) => `${x.origin}:${x.from}-${x.to}`)).toEqual(['initial:0-5', 'restored:5-11', 'typed:11-12']);
    expect(index.data.divergences).toEqual([{ seq: 1, t: 20, replayedLength: 6, snapshotLength: 12 }]);
    expect(index.caretAt(1)).toEqual({ start: 6, end: 6 });
  });

  it('a snapshot that agrees changes nothing', () => {
    const s = session().op(10, 0, 0, 'abc', 'type').add(20, 'snapshot', { text: 'abc' });
    const index = buildReplayIndex(s.events);
    expect(index.opCount).toBe(1);
    expect(index.data.divergences).toEqual([]);
  });
});

describe('caret and time', () => {
  it('the caret follows ops and selections; time maps to the last event at or before it', () => {
    const s = session().op(100, 0, 0, 'abc', 'type').add(200, 'selection', { start: 3, end: 1 }).op(300, 1, 2, 'X', 'type');
    const index = buildReplayIndex(s.events);
    expect(index.caretAt(-1)).toBeNull();
    expect(index.caretAt(0)).toEqual({ start: 3, end: 3 });
    expect(index.caretAt(1)).toEqual({ start: 1, end: 3 });
    expect(index.caretAt(2)).toEqual({ start: 2, end: 2 });
    expect(index.seqAtTime(50)).toBe(-1);
    expect(index.seqAtTime(250)).toBe(1);
    expect(index.stateAtTime(1e9).text).toBe('aX');
    expect(index.seqAtFraction(0.5)).toBe(1);
    expect(index.seqAtFraction(1)).toBe(2);
    expect(index.textAt(index.seqAtFraction(0))).toBe('abc');
  });
});
