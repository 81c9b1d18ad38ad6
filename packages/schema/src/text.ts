import { Type, type StringOptions, type TSchema, type ObjectOptions } from '@sinclair/typebox';

/**
 * What a string may hold, decided once for every string that enters: no U+0000 and no lone
 * surrogate. PostgreSQL refuses both (text and jsonb cannot hold NUL; a lone surrogate has no
 * UTF-8 form), and a string the database cannot store must be refused at the door with a 400,
 * not meet the database as a 500. Well-formed pairs (emoji) are fine.
 *
 * The pattern works with and without the regexp `u` flag (Ajv compiles with it, TypeBox
 * without): with it, a pair is one code point the first class accepts; without, the group
 * takes pairs. It runs in linear time (1 MB of text in a few ms).
 */
export const TEXT_PATTERN = '^[^\\u0000\\ud800-\\udfff]*(?:[\\ud800-\\udbff][\\udc00-\\udfff][^\\u0000\\ud800-\\udfff]*)*$';
const textRegExp = new RegExp(TEXT_PATTERN);

/** What a refused string is told, instead of the pattern itself. */
export const TEXT_RULE = 'must not contain U+0000 or a lone surrogate';

/** The readable form of a pattern failure: the text rule when `pattern` is one of ours. */
export function describePattern(pattern: unknown): string | undefined {
  return typeof pattern === 'string' && pattern.endsWith(TEXT_PATTERN.slice(1)) ? TEXT_RULE : undefined;
}

/** True when PostgreSQL can store `s` as text or inside jsonb. */
export function isStorableText(s: string): boolean {
  return textRegExp.test(s);
}

/** A string schema whose values PostgreSQL can store. */
export function Text(options: StringOptions = {}) {
  return Type.String({ ...options, pattern: TEXT_PATTERN });
}

/**
 * A record whose keys are storable text of at most `maxKeyLength` UTF-16 units. JSON Schema has
 * no key schema a TypeBox Record keeps, so the keys are one pattern and any other key is refused.
 */
export function TextRecord<T extends TSchema>(maxKeyLength: number, value: T, options: ObjectOptions = {}) {
  const keyPattern = `^(?=[\\s\\S]{0,${maxKeyLength}}$)${TEXT_PATTERN.slice(1)}`;
  return Type.Record(Type.String({ pattern: keyPattern }), value, { ...options, additionalProperties: false });
}

/** Dates PostgreSQL's timestamptz stores and a recording can have: RFC 3339, years 1970 to 9999. */
export function Timestamp(options: StringOptions = {}) {
  return Type.String({ ...options, format: 'date-time', pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-' });
}

/**
 * Checks a free-form JSON value (custom event data): at most `maxDepth` levels of arrays and
 * objects, every key and string storable. Iterative, so a value nested 10,000 deep is refused
 * rather than overflowing the stack. Returns the first offending JSON pointer, or null.
 */
export function jsonValueIssue(value: unknown, maxDepth: number): { path: string; message: string } | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return { path, message: TEXT_RULE };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return { path, message: `nested deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: `${path}/${i}`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const keyPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!isStorableText(key)) return { path: keyPath, message: `a key ${TEXT_RULE}` };
      stack.push({ value: item, path: keyPath, depth: depth + 1 });
    }
  }
  return null;
}
