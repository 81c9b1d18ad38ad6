/** Reads and writes an editor's text and selection in UTF-16 code units: textarea, input or contenteditable. */
export interface Editor {
  read(): string;
  write(text: string): void;
  selection(): { start: number; end: number } | null;
  selectedText(): string;
}

type TextField = HTMLTextAreaElement | HTMLInputElement;

function fieldEditor(el: TextField): Editor {
  return {
    read: () => el.value,
    write: (text) => {
      el.value = text;
    },
    selection() {
      try {
        const start = el.selectionStart;
        const end = el.selectionEnd;
        return start === null || end === null ? null : { start, end };
      } catch {
        return null;
      }
    },
    selectedText() {
      const s = this.selection();
      return s ? el.value.slice(s.start, s.end) : '';
    },
  };
}

const BLOCK = /^(DIV|P|LI|UL|OL|H[1-6]|PRE|BLOCKQUOTE|SECTION|ARTICLE|HEADER|FOOTER|TABLE|TR|DL|DT|DD|FIGURE|HR)$/;

/**
 * The text of a contenteditable: text nodes as they are, a line break before each block after the
 * first, a <br> as a line break unless it only holds an empty block open (the last child of a block).
 * `at` also counts up to a DOM point, so selections use the same units as the text.
 */
function walk(root: Node, stopNode?: Node, stopOffset?: number): { text: string; at: number } {
  let text = '';
  let at = -1;
  let seen = false; // some line content or block came before
  let lastBr = false; // the text ends with a <br>'s line break
  let breakBefore = false; // a block ended: what follows starts a new line
  const lineBreak = () => {
    if (breakBefore) text += '\n';
    breakBefore = false;
  };
  const visit = (node: Node): boolean => {
    const kids = node.childNodes;
    for (let i = 0; i < kids.length; i++) {
      if (node === stopNode && i === stopOffset) {
        at = text.length;
        return true;
      }
      const child = kids[i]!;
      if (child.nodeType === 3) {
        const data = (child as Text).data;
        if (data.length > 0 || child === stopNode) lineBreak();
        if (child === stopNode) {
          at = text.length + (stopOffset ?? 0);
          return true;
        }
        if (data.length > 0) {
          text += data;
          seen = true;
          lastBr = false;
        }
      } else if (child.nodeType === 1) {
        const tag = (child as Element).tagName;
        if (tag === 'BR') {
          lineBreak();
          const placeholder = i === kids.length - 1 && (node === root || BLOCK.test((node as Element).tagName ?? ''));
          if (!placeholder) {
            text += '\n';
            lastBr = true;
          }
          seen = true;
        } else if (BLOCK.test(tag)) {
          if (seen && !lastBr) text += '\n';
          breakBefore = false;
          lastBr = false;
          seen = true;
          if (visit(child)) return true;
          breakBefore = true;
        } else if (visit(child)) return true;
      }
    }
    if (node === stopNode) {
      at = text.length;
      return true;
    }
    return false;
  };
  visit(root);
  return { text, at };
}

function richEditor(el: HTMLElement): Editor {
  const offset = (node: Node, off: number) => (el.contains(node) ? walk(el, node, off).at : -1);
  return {
    read: () => walk(el).text,
    write: (text) => {
      el.replaceChildren();
      text.split('\n').forEach((line, i) => {
        const div = document.createElement('div');
        div.append(line === '' ? document.createElement('br') : document.createTextNode(line));
        if (i === 0 && line !== '') el.append(document.createTextNode(line));
        else el.append(div);
      });
    },
    selection() {
      const sel = el.ownerDocument.getSelection();
      if (!sel || sel.rangeCount === 0) return null;
      const r = sel.getRangeAt(0);
      const start = offset(r.startContainer, r.startOffset);
      const end = r.collapsed ? start : offset(r.endContainer, r.endOffset);
      return start < 0 || end < 0 ? null : { start, end };
    },
    selectedText() {
      const s = this.selection();
      return s ? this.read().slice(s.start, s.end) : '';
    },
  };
}

export function editorFor(el: HTMLElement): Editor {
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLInputElement) return fieldEditor(el);
  return richEditor(el);
}
