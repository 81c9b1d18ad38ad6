import { ORIGINS, type OriginRuns } from '@veritas/replay';

interface Para {
  key: string;
  el: HTMLElement;
}

/**
 * Draws the text by paragraph, each a block of spans coloured by origin, and the caret. Each
 * frame only the paragraphs whose text, origins or caret changed are rebuilt, so playback never
 * re-renders the whole document.
 */
export class TextView {
  private paras: Para[] = [];
  private lastText = '';
  private lastRuns: OriginRuns | null = null;
  private lastCaret: number | null = -1;

  constructor(private readonly root: HTMLElement) {
    // The view owns the element: whatever an earlier view drew there goes.
    root.replaceChildren();
  }

  render(text: string, runs: OriginRuns, caret: number | null): void {
    if (text === this.lastText && caret === this.lastCaret && this.lastRuns && sameRuns(runs, this.lastRuns)) return;
    this.lastText = text;
    this.lastRuns = runs;
    this.lastCaret = caret;
    const next = paragraphs(text, runs, caret);
    const old = this.paras;
    let a = 0;
    while (a < old.length && a < next.length && old[a]!.key === next[a]!.key) a++;
    let b = 0;
    while (b < old.length - a && b < next.length - a && old[old.length - 1 - b]!.key === next[next.length - 1 - b]!.key) b++;
    const fresh: Para[] = [];
    for (let i = a; i < next.length - b; i++) fresh.push({ key: next[i]!.key, el: build(next[i]!) });
    const before = old[old.length - b]?.el ?? null;
    for (let i = a; i < old.length - b; i++) old[i]!.el.remove();
    for (const p of fresh) this.root.insertBefore(p.el, before);
    this.paras = [...old.slice(0, a), ...fresh, ...old.slice(old.length - b)];
  }
}

function sameRuns(x: OriginRuns, y: OriginRuns): boolean {
  if (x.len.length !== y.len.length) return false;
  for (let i = 0; i < x.len.length; i++) if (x.len[i] !== y.len[i] || x.code[i] !== y.code[i]) return false;
  return true;
}

interface ParaModel {
  key: string;
  /** [text, origin code] pieces, and where the caret sits among them. */
  pieces: [string, number][];
  caret: number | null;
}

function paragraphs(text: string, runs: OriginRuns, caret: number | null): ParaModel[] {
  const out: ParaModel[] = [];
  let r = 0;
  let runEnd = runs.len.length > 0 ? runs.len[0]! : 0;
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl;
    const pieces: [string, number][] = [];
    let at = start;
    while (at < end) {
      while (runEnd <= at && r < runs.len.length - 1) runEnd += runs.len[++r]!;
      const stop = Math.min(end, runEnd > at ? runEnd : end);
      pieces.push([text.slice(at, stop), runs.code[r] ?? 0]);
      at = stop;
    }
    const c = caret !== null && caret >= start && caret <= end ? caret - start : null;
    let key = c === null ? '' : `|${c}|`;
    for (const [s, code] of pieces) key += `${code}:${s.length}:${s}`;
    out.push({ key, pieces, caret: c });
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

function build(p: ParaModel): HTMLElement {
  const div = document.createElement('div');
  div.className = 'rp-para';
  let offset = 0;
  let caretDone = p.caret === null;
  const caret = () => {
    const c = document.createElement('span');
    c.className = 'rp-caret';
    c.setAttribute('aria-hidden', 'true');
    div.appendChild(c);
    caretDone = true;
  };
  for (const [s, code] of p.pieces) {
    if (!caretDone && p.caret! < offset + s.length) {
      const k = p.caret! - offset;
      if (k > 0) div.appendChild(span(s.slice(0, k), code));
      caret();
      div.appendChild(span(s.slice(k), code));
    } else div.appendChild(span(s, code));
    offset += s.length;
  }
  if (!caretDone) caret();
  return div;
}

function span(s: string, code: number): HTMLElement {
  const el = document.createElement('span');
  const origin = ORIGINS[code] ?? 'typed';
  el.className = `rp-o rp-o-${origin}`;
  el.dataset.origin = origin;
  el.textContent = s;
  return el;
}
