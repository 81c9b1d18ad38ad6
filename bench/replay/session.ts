import type { VeritasEvent } from '@veritas/schema';
import { mulberry32 } from '@veritas/simulator';

/** A deterministic pseudo-random source, so every run measures the same session. */
export const rng = mulberry32;

const WORDS =
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out more can'.split(
    ' ',
  );

/**
 * A long writing session of `ops` text ops: mostly typing at the caret with a key event per
 * keystroke, backspace bursts, jumps back into the text to revise, occasional pastes (some internal,
 * with clipboard events), pauses and time away. Final text ≈ 30–40 % of the op count in characters.
 */
export function writingSession(ops: number, seed = 1): VeritasEvent[] {
  const r = rng(seed);
  const events: VeritasEvent[] = [];
  let t = 0;
  let len = 0;
  let caret = 0;
  let word = '';
  let n = 0;
  const push = (type: VeritasEvent['type'], data: unknown) => events.push({ seq: events.length, t, type, data } as VeritasEvent);
  const op = (pos: number, del: number, ins: string, cause: string) => {
    push('text.op', { pos, del, ins, cause, trusted: true });
    len += ins.length - del;
    caret = pos + ins.length;
    n++;
  };
  while (n < ops) {
    const x = r();
    t += 60 + r() * 180;
    if (x < 0.0004) {
      push('focus', { state: 'blur' });
      t += 5000 + r() * 60_000;
      push('focus', { state: 'focus' });
    } else if (x < 0.004) {
      t += 2000 + r() * 8000; // a pause
    } else if (x < 0.006 && len > 0) {
      caret = Math.floor(r() * len); // click somewhere to revise
      push('selection', { start: caret, end: caret });
    } else if (x < 0.0075) {
      const internal = r() < 0.5;
      const hash =
        (internal ? 'aa' : 'bb') +
        Math.floor(r() * 1e14)
          .toString(16)
          .padStart(14, '0');
      if (internal) push('clipboard', { action: 'copy', len: 10, hash });
      push('clipboard', { action: 'paste', len: 10, hash });
      const text = Array.from({ length: 5 + Math.floor(r() * 40) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ') + ' ';
      op(caret, 0, text, 'paste');
    } else if (x < 0.33 && caret > 0) {
      t -= 40;
      op(caret - 1, 1, '', 'type');
      push('key', { class: 'backspace', hold: 70 });
    } else {
      if (word.length === 0) word = `${WORDS[Math.floor(r() * WORDS.length)]} `;
      const ch = word[0]!;
      word = word.slice(1);
      op(caret, 0, ch, 'type');
      t += 40;
      push('key', { class: ch === ' ' ? 'space' : 'char', hold: 50 + r() * 40 });
    }
  }
  return events;
}
