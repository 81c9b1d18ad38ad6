import { AppError } from '../../kernel/errors';

/** The source of the sessions published to everyone: the demo data `veritas serve --demo` seeds (no API call stores this source). */
export const PUBLISHED_SOURCE = 'demo';

/** Where a page of the session list ends: the last row's creation time (µs, as stored) and id. */
export interface ListPosition {
  createdAt: string;
  id: string;
}

/** An opaque cursor: base64url of the position, so clients pass it back untouched. */
export function encodeCursor(p: ListPosition): string {
  return Buffer.from(JSON.stringify([p.createdAt, p.id])).toString('base64url');
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The position a cursor names; a 400 problem for anything this server did not hand out. */
export function decodeCursor(cursor: string): ListPosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      TIMESTAMP.test(v[0]) &&
      typeof v[1] === 'string' &&
      v[1].length > 0 &&
      v[1].length <= 64
    ) {
      return { createdAt: v[0], id: v[1] };
    }
  } catch {
    // falls through to the problem below
  }
  throw new AppError('invalid-request', 'cursor: not a cursor this server handed out (pass `next` from the previous page as it is)');
}
