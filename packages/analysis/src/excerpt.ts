/** Excerpts: the short, one-line piece of text a flag or a departure shows as its evidence. */

/** The most characters an excerpt shows (an ellipsis marks a cut). */
export const EXCERPT_CHARS = 80;

export function excerptOf(s: string): string {
  const one = s.length > EXCERPT_CHARS ? `${s.slice(0, EXCERPT_CHARS)}…` : s;
  return one.replace(/\s+/g, ' ').trim();
}

/**
 * Appends inserted text to an excerpt being gathered during the fold, until it is long enough.
 * Each insertion is cut first, so one huge paste cannot make the accumulator huge.
 */
export function extendExcerpt(acc: string, ins: string): string {
  if (acc.length >= EXCERPT_CHARS) return acc;
  return acc + (ins.length > EXCERPT_CHARS ? ins.slice(0, EXCERPT_CHARS) : ins);
}
