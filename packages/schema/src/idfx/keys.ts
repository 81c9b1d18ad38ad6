import type { KeyClass } from '../events';

/**
 * Key names as IDFX writes them (Windows virtual-key names, `VK_…`) and Veritas's key classes. Veritas
 * never records which key was pressed, only its class; a typed character is known from the text it
 * inserted. So the export names a character key by that character (`VK_A`, `VK_7`, or `VK_OEM` for
 * punctuation), and keys of the other classes by one representative name.
 */
const CLASS_KEY: Record<Exclude<KeyClass, 'char'>, string> = {
  space: 'VK_SPACE',
  enter: 'VK_RETURN',
  backspace: 'VK_BACK',
  delete: 'VK_DELETE',
  nav: 'VK_NAVIGATION',
  modifier: 'VK_SHIFT',
  other: 'VK_OTHER',
};

export function keyNameOf(cls: KeyClass, typed: string | undefined): string {
  if (cls !== 'char') return CLASS_KEY[cls] ?? 'VK_OTHER';
  const c = typed?.toUpperCase() ?? '';
  return /^[A-Z0-9]$/.test(c) ? `VK_${c}` : 'VK_OEM';
}

const NAV = new Set(['VK_LEFT', 'VK_RIGHT', 'VK_UP', 'VK_DOWN', 'VK_HOME', 'VK_END', 'VK_PRIOR', 'VK_NEXT', 'VK_NAVIGATION']);
const MODIFIER = new Set([
  'VK_SHIFT',
  'VK_LSHIFT',
  'VK_RSHIFT',
  'VK_CONTROL',
  'VK_LCONTROL',
  'VK_RCONTROL',
  'VK_MENU',
  'VK_LMENU',
  'VK_RMENU',
  'VK_CAPITAL',
  'VK_LWIN',
  'VK_RWIN',
]);

/** The class of a key named in an IDFX log (any Inputlog key name), from its name and the character it gave. */
export function classOfKey(name: string, value: string): KeyClass {
  switch (name) {
    case 'VK_SPACE':
      return 'space';
    case 'VK_RETURN':
      return 'enter';
    case 'VK_BACK':
      return 'backspace';
    case 'VK_DELETE':
      return 'delete';
  }
  if (NAV.has(name)) return 'nav';
  if (MODIFIER.has(name)) return 'modifier';
  if (/^VK_([A-Z0-9]|OEM.*|NUMPAD\d|MULTIPLY|ADD|SUBTRACT|DECIMAL|DIVIDE)$/.test(name) || [...value].length === 1) return 'char';
  return 'other';
}

/** The text a production key inserts, from its class and the value IDFX gives ('' for a deletion). */
export function insertedBy(cls: KeyClass, value: string): string {
  if (cls === 'space') return ' ';
  if (cls === 'enter') return '\n';
  if (cls === 'char') return value;
  return '';
}
