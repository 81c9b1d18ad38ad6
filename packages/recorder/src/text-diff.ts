/** One text change in UTF-16 code units: at `pos`, `del` characters removed and `ins` inserted. */
export interface TextChange {
  pos: number;
  del: number;
  ins: string;
}

/** Where the change is expected: the selection before it, and whether the edit deletes backwards. */
export interface ChangeHint {
  start: number;
  end: number;
  backward?: boolean;
}

function fits(before: string, after: string, pos: number, del: number, insLen: number): boolean {
  if (pos < 0 || del < 0 || insLen < 0 || pos + del > before.length || pos + insLen > after.length) return false;
  // Slices of V8 strings are cheap and === is a memory compare: no per-character loop on the fast path.
  return before.slice(0, pos) === after.slice(0, pos) && before.slice(pos + del) === after.slice(pos + insLen);
}

function change(after: string, pos: number, del: number, insLen: number): TextChange {
  return { pos, del, ins: after.slice(pos, pos + insLen) };
}

function suffixLen(before: string, after: string, limit: number): number {
  let s = 0;
  const lb = before.length;
  const la = after.length;
  while (s < limit && before.charCodeAt(lb - 1 - s) === after.charCodeAt(la - 1 - s)) s++;
  return s;
}

/**
 * The change that turns `before` into `after`, taken from the two texts themselves. The hint
 * (the selection before the edit) is tried first and kept when it explains the result exactly;
 * otherwise the smallest change is computed and, among equally small ones (typing "a" into "aa"),
 * the one nearest the hint is chosen. Returns null when nothing changed.
 */
export function diffText(before: string, after: string, hint?: ChangeHint | null): TextChange | null {
  if (before === after) return null;
  const lb = before.length;
  const la = after.length;
  const grow = la - lb;
  if (hint) {
    const { start, end } = hint;
    if (hint.backward && start === end && grow < 0 && fits(before, after, end + grow, -grow, 0)) return change(after, end + grow, -grow, 0);
    if (fits(before, after, start, end - start, end - start + grow)) return change(after, start, end - start, end - start + grow);
    if (start === end && grow < 0 && fits(before, after, start, -grow, 0)) return change(after, start, -grow, 0);
  }
  const min = Math.min(lb, la);
  let p = 0;
  while (p < min && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  const s = suffixLen(before, after, min - p);
  const del = lb - p - s;
  if (hint) {
    const anchor = hint.backward ? hint.end - del : hint.start;
    if (anchor >= 0 && anchor < p) {
      const s2 = suffixLen(before, after, min - anchor);
      if (lb - anchor - s2 === del) return change(after, anchor, del, la - anchor - s2);
    }
  }
  return change(after, p, del, la - p - s);
}

/** Applies a change to a text: what replay does, and what the recorder does to follow its own ops. */
export function applyChange(text: string, c: TextChange): string {
  return text.slice(0, c.pos) + c.ins + text.slice(c.pos + c.del);
}
