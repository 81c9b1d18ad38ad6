import { XMLBuilder } from 'fast-xml-parser';
import type { EventOf, KeyClass, VeritasEvent } from '../events';
import { keyNameOf } from './keys';
import { IDFX_FORMAT, type IdfxSession } from './format';

/**
 * A writing session as an IDFX log (the XML of Inputlog, the keystroke logger writing researchers use):
 * `<log><meta>…</meta><session/><event type="keyboard">…</event>…</log>`. Each typed change is a
 * keyboard event: its key (winlog part: press and release time, key name, character) and where it
 * acted (wordlog part: position of the character, document length counting it, replay True when the
 * key changed the text). A change over a selection adds a replacement event (start, end, newtext), as
 * Inputlog writes one; a change no key made (paste, drop, undo, an input method…) is an insert (paste
 * or drop) or a replacement event of its own. Positions are UTF-16 code units, as in the session.
 *
 * Every IDFX event also carries the Veritas events it stands for, as JSON in a part of type `veritas`
 * (readers of IDFX skip part and event types they do not know); events IDFX has no word for (focus,
 * selection, clipboard, snapshots…) are events of type `veritas` holding only that part. So a Veritas
 * session exported and imported again is the same session, event for event (idfx.test.ts).
 */

type TextOp = EventOf<'text.op'>;
type Key = EventOf<'key'>;

/** The key class a typed change needs from the key that made it, or null when no single key makes it. */
function keyClassFor(op: TextOp): KeyClass[] | null {
  if (op.data.cause !== 'type') return null;
  const chars = [...op.data.ins];
  if (chars.length === 0) return op.data.del > 0 ? ['backspace', 'delete'] : null;
  if (chars.length !== 1) return null;
  return op.data.ins === ' ' ? ['space'] : op.data.ins === '\n' ? ['enter'] : ['char'];
}

/** Pairs each typed change with the key event that made it: the first key of a fitting class released after it. */
function pairKeys(events: readonly VeritasEvent[]): Map<number, Key> {
  const waiting: TextOp[] = [];
  const keyOf = new Map<number, Key>();
  for (const e of events) {
    if (e.type === 'text.op' && keyClassFor(e)) waiting.push(e);
    else if (e.type === 'key') {
      const i = waiting.findIndex((op) => keyClassFor(op)!.includes(e.data.class));
      if (i >= 0) keyOf.set(waiting.splice(i, 1)[0]!.seq, e);
      // Keys pressed long after a change never make it: stop waiting on changes more than 2 s old.
      while (waiting.length > 0 && e.t - waiting[0]!.t > 2000) waiting.shift();
    }
  }
  return keyOf;
}

const ms = (t: number) => String(Math.round(t));
const veritasPart = (events: VeritasEvent[]) => ({ '@_type': 'veritas', events: JSON.stringify(events) });

export function toIdfx(session: IdfxSession, events: readonly VeritasEvent[]): string {
  const keyOf = pairKeys(events);
  const pairedKeys = new Set([...keyOf.values()].map((k) => k.seq));
  const out: object[] = [];
  let length = (session.meta?.initialText ?? '').length;
  let caret = length;
  const push = (type: string, parts: object[]) => out.push({ '@_id': String(out.length), '@_type': type, part: parts });

  for (const e of events) {
    if (e.type === 'key') {
      if (pairedKeys.has(e.seq)) continue;
      push('keyboard', [
        { '@_type': 'winlog', startTime: ms(e.t - e.data.hold), endTime: ms(e.t), key: keyNameOf(e.data.class, undefined), value: '', keyboardstate: '' },
        { '@_type': 'wordlog', position: String(caret), documentLength: String(length), replay: 'False' },
        veritasPart([e]),
      ]);
      continue;
    }
    if (e.type !== 'text.op') {
      push('veritas', [veritasPart([e])]);
      continue;
    }
    const { pos, del, ins } = e.data;
    const key = keyOf.get(e.seq);
    const simple = key && ((del === 0 && ins !== '') || (del === 1 && ins === ''));
    if (key) {
      push('keyboard', [
        {
          '@_type': 'winlog',
          startTime: ms(key.t - key.data.hold),
          endTime: ms(key.t),
          key: keyNameOf(key.data.class, ins || undefined),
          value: ins,
          keyboardstate: '',
        },
        {
          '@_type': 'wordlog',
          position: String(pos),
          documentLength: String(ins === '' ? length : length - del + ins.length),
          replay: simple ? 'True' : 'False',
        },
        veritasPart(simple ? [e, key] : [key]),
      ]);
    }
    if (!simple) {
      const time = { '@_type': 'winlog', startTime: ms(e.t), endTime: ms(e.t) };
      if (!key && (e.data.cause === 'paste' || e.data.cause === 'drop') && del === 0)
        push('insert', [time, { '@_type': 'wordlog', position: String(pos), documentLength: String(length + ins.length), newtext: ins }, veritasPart([e])]);
      else push('replacement', [time, { '@_type': 'wordlog', start: String(pos), end: String(pos + del), newtext: ins }, veritasPart([e])]);
    }
    length += ins.length - del;
    caret = pos + ins.length;
  }

  const entry = (key: string, value: string) => ({ key, value });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    log: {
      meta: {
        entry: [
          entry('__LogCreationTimeStamp', String(Date.parse(session.createdAt))),
          entry('veritas.format', IDFX_FORMAT),
          entry('veritas.sessionId', session.id),
          entry('veritas.kind', session.kind),
          entry('veritas.createdAt', session.createdAt),
          ...(session.endedAt ? [entry('veritas.endedAt', session.endedAt)] : []),
          ...(session.meta ? [entry('veritas.meta', JSON.stringify(session.meta))] : []),
        ],
      },
      session: '',
      event: out,
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: ' ', suppressEmptyNode: false }).build(doc) as string;
}
