import type { Readable } from 'node:stream';

/** What is stored under a key. */
export interface BlobInfo {
  key: string;
  size: number;
  contentType: string;
}

/** A stored blob with its body, read as a stream (bundles and exports can be large). */
export interface BlobObject extends BlobInfo {
  body: Readable;
}

/** One page of a listing, in key order; `next` is set when more keys follow (pass it as `after`). */
export interface BlobPage {
  items: { key: string; size: number }[];
  next?: string;
}

/**
 * The blob port: bundles, reports and exports by key. Keys are checked by `checkBlobKey` in every
 * driver, so a key that one driver accepts every driver accepts.
 */
export interface BlobStore {
  /** Stores the body under the key, replacing what was there; readers see the old or the new body, never a part. */
  put(key: string, body: Buffer | Readable, options: { contentType: string }): Promise<{ size: number }>;
  /** The blob, or undefined when nothing is stored under the key. */
  get(key: string): Promise<BlobObject | undefined>;
  head(key: string): Promise<BlobInfo | undefined>;
  exists(key: string): Promise<boolean>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Keys starting with `prefix`, in key order, at most `limit` (default and ceiling 1000) after `after`. */
  list(prefix: string, options?: { limit?: number; after?: string }): Promise<BlobPage>;
  /**
   * A link a browser downloads the blob from without this server, valid `expiresInS` seconds, or
   * undefined when the driver has none (the filesystem: the server serves a signed link itself).
   */
  directLink?(key: string, options: DirectLinkOptions): Promise<string>;
  close(): Promise<void>;
}

export interface DirectLinkOptions {
  expiresInS: number;
  /** The name the browser saves it under (Content-Disposition: attachment). */
  fileName: string;
  contentType: string;
}

export const MAX_KEY_LENGTH = 512;
export const MAX_LIST_LIMIT = 1000;

/**
 * A key is segments joined by `/`; a segment is letters, digits, `.`, `_` and `-`, not starting with
 * `.` (so no `.` or `..`, and no hidden files in the filesystem driver). The same key is then a safe
 * relative path on disk and an object name S3 needs no escaping for.
 */
const SEGMENT = '[A-Za-z0-9_-][A-Za-z0-9._-]*';
const KEY = new RegExp(`^${SEGMENT}(/${SEGMENT})*$`);
/** A prefix is a key cut anywhere: whole segments, then possibly a `/` or the start of a segment. */
const PREFIX = new RegExp(`^(${SEGMENT}/)*(${SEGMENT})?$`);

export class BlobKeyError extends Error {
  override name = 'BlobKeyError';
}

export function checkBlobKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new BlobKeyError('a blob key must be a non-empty string');
  if (key.length > MAX_KEY_LENGTH) throw new BlobKeyError(`blob key is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`);
  if (!KEY.test(key))
    throw new BlobKeyError(
      `invalid blob key "${key}": use segments of letters, digits, ".", "_" and "-" joined by "/", with no leading or trailing "/", no empty segment and no segment starting with "." (so no ".." )`,
    );
  return key;
}

export function checkBlobPrefix(prefix: string): string {
  if (typeof prefix !== 'string') throw new BlobKeyError('a blob prefix must be a string');
  if (prefix.length > MAX_KEY_LENGTH) throw new BlobKeyError(`blob prefix is ${prefix.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`);
  if (!PREFIX.test(prefix)) throw new BlobKeyError(`invalid blob prefix "${prefix}": it must be the start of a valid key`);
  return prefix;
}

export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw new RangeError(`list limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  return limit;
}
