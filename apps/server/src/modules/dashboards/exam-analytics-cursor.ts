import { isStorableText } from '@veritas/schema';
import { AppError } from '../../kernel/errors';
import type { StudentPosition } from './exam-analytics.repository';

/** An opaque cursor to clients: the student name and attempt id of a breakdown page's last row. */
export const encodeStudentPosition = (p: StudentPosition): string => Buffer.from(JSON.stringify([p.name, p.id])).toString('base64url');

/** The position a cursor names; a 400 problem for anything this server did not hand out. */
export function decodeStudentPosition(cursor: string): StudentPosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      // A display name is at most 200 characters where people are made; a margin for names from elsewhere.
      v[0].length <= 1_000 &&
      isStorableText(v[0]) &&
      typeof v[1] === 'string' &&
      v[1].length >= 1 &&
      v[1].length <= 64 &&
      isStorableText(v[1])
    )
      return { name: v[0], id: v[1] };
  } catch {
    // falls through to the refusal
  }
  throw new AppError('invalid-request', '/querystring/cursor: not a cursor this server handed out');
}
