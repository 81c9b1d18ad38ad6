import { isStorableText } from '@veritas/schema';
import { AppError } from '../../kernel/errors';

/** Where a page sorted by (name, id) starts: an opaque cursor to clients. */
export interface NamePosition {
  name: string;
  id: string;
}

export const encodePosition = (p: NamePosition): string => Buffer.from(JSON.stringify([p.name, p.id])).toString('base64url');

/** The position a cursor names; a 400 problem for anything this server did not hand out. */
export function decodePosition(cursor: string): NamePosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // A forged cursor's strings reach SQL as parameters: they must be text the database can hold.
    const ok = (s: unknown, min: number, max: number): s is string => typeof s === 'string' && s.length >= min && s.length <= max && isStorableText(s);
    if (Array.isArray(v) && v.length === 2 && ok(v[0], 0, 400) && ok(v[1], 1, 64)) return { name: v[0], id: v[1] };
  } catch {
    // falls through to the refusal
  }
  throw new AppError('invalid-request', '/querystring/cursor: not a cursor this server handed out');
}

/** A page from rows fetched one beyond the limit: the extra row says whether a next page exists. */
export function pageOf<T>(rows: T[], limit: number, position: (last: T) => NamePosition): { items: T[]; next: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last !== undefined ? encodePosition(position(last)) : null };
}
