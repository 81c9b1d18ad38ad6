/** Character classes on UTF-16 code units, without regular expressions (the fold's hot loop calls these). */

export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13 || c === 0xa0 || c === 0x3000;
}

/** . ! ? … and their CJK forms end a sentence. */
export function isTerminal(c: number): boolean {
  return c === 46 || c === 33 || c === 63 || c === 0x2026 || c === 0x3002 || c === 0xff01 || c === 0xff1f || c === 0xff0e;
}

/** Letters, digits, apostrophes and hyphens inside words, and any non-ASCII letter or ideograph. */
export function isWordChar(c: number): boolean {
  if (c >= 97 && c <= 122) return true;
  if (c >= 65 && c <= 90) return true;
  if (c >= 48 && c <= 57) return true;
  if (c === 39 || c === 45 || c === 0x2019) return true;
  if (c < 128) return false;
  if (isSpace(c) || isTerminal(c)) return false;
  // General punctuation and CJK symbols/punctuation are not word characters.
  if (c >= 0x2000 && c <= 0x206f) return false;
  if (c >= 0x3000 && c <= 0x303f) return false;
  if (c >= 0xff00 && c <= 0xff0f) return false;
  return true;
}
