import canonicalizeJson from 'canonicalize';

/** RFC 8785 (JCS) canonical JSON: the same bytes for the same value in every runtime. */
export function canonicalJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = canonicalizeJson(value);
  } catch (err) {
    // canonicalize recurses: input nested deeper than the stack allows is refused, not a crash.
    // Validation keeps such input out (LIMITS.customDepth); this is the last guard.
    if (err instanceof RangeError) throw new TypeError('value is nested too deeply to canonicalize', { cause: err });
    throw err;
  }
  if (out === undefined) throw new TypeError('value has no JSON form');
  return out;
}
