import type { KeyClass, TextCause } from '@veritas/schema';

const CAUSES: Record<string, TextCause> = {
  insertFromPaste: 'paste',
  insertFromPasteAsQuotation: 'paste',
  insertFromYank: 'paste',
  deleteByCut: 'cut',
  insertFromDrop: 'drop',
  deleteByDrag: 'drop',
  historyUndo: 'undo',
  historyRedo: 'redo',
  insertCompositionText: 'ime',
  deleteCompositionText: 'ime',
  insertFromComposition: 'ime',
  insertReplacementText: 'autocorrect',
};

/** The cause of a text change from its InputEvent.inputType; anything else the writer typed is 'type'. */
export function causeOf(inputType: string | undefined): TextCause {
  if (!inputType) return 'programmatic';
  return CAUSES[inputType] ?? 'type';
}

/** Causes that name where the text came from, so a host-declared input method never overrides them. */
export function isTransfer(cause: TextCause): boolean {
  return cause === 'paste' || cause === 'cut' || cause === 'drop' || cause === 'undo' || cause === 'redo';
}

const NAV = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);
const MODIFIERS = new Set([
  'Shift',
  'Control',
  'Alt',
  'AltGraph',
  'Meta',
  'CapsLock',
  'Fn',
  'FnLock',
  'Hyper',
  'Super',
  'NumLock',
  'ScrollLock',
  'Symbol',
  'OS',
]);

/** The class of a key. The key itself is used here and nowhere else: it is never stored or sent. */
export function keyClass(key: string): KeyClass {
  if (key === ' ') return 'space';
  if (key === 'Enter') return 'enter';
  if (key === 'Backspace') return 'backspace';
  if (key === 'Delete') return 'delete';
  if (NAV.has(key)) return 'nav';
  if (MODIFIERS.has(key)) return 'modifier';
  // A printable key's `key` is one grapheme (one or two UTF-16 units); named keys are longer words.
  if (key.length === 1 || (key.length === 2 && key.codePointAt(0)! > 0xffff)) return 'char';
  return 'other';
}
