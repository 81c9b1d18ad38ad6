import { isStorableText } from '@veritas/schema';
import { AppError } from '../../kernel/errors';
import type { QueuePosition } from './flags.repository';

/** An opaque cursor to clients: the severity rank, creation time (ms) and id of a page's last flag. */
export const encodeQueuePosition = (p: QueuePosition): string => Buffer.from(JSON.stringify([p.rank, p.createdAt.getTime(), p.id])).toString('base64url');

/** The position a cursor names; a 400 problem for anything this server did not hand out. */
export function decodeQueuePosition(cursor: string): QueuePosition {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(v) &&
      v.length === 3 &&
      Number.isInteger(v[0]) &&
      v[0] >= 1 &&
      v[0] <= 3 &&
      Number.isInteger(v[1]) &&
      v[1] >= 0 &&
      v[1] <= 253402300799999 &&
      typeof v[2] === 'string' &&
      v[2].length >= 1 &&
      v[2].length <= 64 &&
      isStorableText(v[2])
    )
      return { rank: v[0] as number, createdAt: new Date(v[1] as number), id: v[2] };
  } catch {
    // falls through to the refusal
  }
  throw new AppError('invalid-request', '/querystring/cursor: not a cursor this server handed out');
}
