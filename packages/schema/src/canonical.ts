import canonicalizeJson from 'canonicalize';

/** RFC 8785 (JCS) canonical JSON: the same bytes for the same value in every runtime. */
export function canonicalJson(value: unknown): string {
  const out = canonicalizeJson(value);
  if (out === undefined) throw new TypeError('value has no JSON form');
  return out;
}
