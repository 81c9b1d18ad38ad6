/**
 * Where a character came from: the one vocabulary of the analysis (paste figures) and the replay
 * (the viewer's colours). Codes are indexes into ORIGINS; buffers carry the codes.
 */
export const ORIGINS = ['typed', 'paste-internal', 'paste-external', 'input-method', 'no-keystrokes', 'initial', 'restored'] as const;
export type Origin = (typeof ORIGINS)[number];

export const ORIGIN_CODE: { readonly [K in Origin]: number } = {
  typed: 0,
  'paste-internal': 1,
  'paste-external': 2,
  'input-method': 3,
  'no-keystrokes': 4,
  initial: 5,
  restored: 6,
};

/** Human labels for a legend. Input methods (IME, dictation, autocorrect, assistive technology) are named as such, never as pasting. */
export const ORIGIN_LABEL: { readonly [K in Origin]: string } = {
  typed: 'Typed',
  'paste-internal': 'Pasted from this session',
  'paste-external': 'Pasted from outside',
  'input-method': 'Input method (IME, dictation, autocorrect, assistive technology)',
  'no-keystrokes': 'Inserted without keystrokes',
  initial: 'Given text',
  restored: 'Restored from a snapshot',
};

export function originName(code: number): Origin {
  const o = ORIGINS[code];
  if (o === undefined) throw new RangeError(`unknown origin code ${code}`);
  return o;
}
