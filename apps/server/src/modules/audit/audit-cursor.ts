import { AppError } from '../../kernel/errors';

/** A page of the trail ends at an entry; the next page starts below its seq. Opaque to clients, like every cursor. */
export const encodeAuditCursor = (seq: number | string): string => Buffer.from(`seq:${seq}`).toString('base64url');

/** The seq a cursor names; a 400 problem for anything this server did not hand out. */
export function decodeAuditCursor(cursor: string): number {
  const m = /^seq:([1-9][0-9]{0,14})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new AppError('invalid-request', '/querystring/cursor: not a cursor this server handed out');
  return Number(m[1]);
}
