import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkBlobKey, checkBlobPrefix, listLimit, type BlobInfo, type BlobObject, type BlobPage, type BlobStore } from './blob-store';

/**
 * Each blob is one file `<key>~`: the suffix holds a character keys may not contain, so the file of
 * key `a` never collides with the folder of key `a/b`. The file starts with a 4-byte length and a
 * JSON header (the content type), then the body: one file, so one rename publishes both.
 */
const SUFFIX = '~';
/** Temp files live under the root (same filesystem, so rename is atomic); keys never start with `.`. */
const TEMP = '.tmp';

interface Header {
  contentType: string;
}

const isMissing = (e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** The filesystem driver: a folder (by default `<data dir>/blobs`), for the embedded server. */
export class FileBlobStore implements BlobStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file of a key, checked to lie inside the root (the key check already forbids `..`; this is the second lock). */
  private fileOf(key: string): string {
    const file = resolve(this.root, checkBlobKey(key) + SUFFIX);
    if (!file.startsWith(this.root + sep)) throw new Error(`blob key "${key}" resolves outside the blob folder`);
    return file;
  }

  async put(key: string, body: Buffer | Readable, options: { contentType: string }): Promise<{ size: number }> {
    const file = this.fileOf(key);
    const header = Buffer.from(JSON.stringify({ contentType: options.contentType } satisfies Header));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(header.length);
    const tempDir = join(this.root, TEMP);
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, randomUUID());
    let size = 0;
    try {
      await pipeline(
        async function* () {
          yield length;
          yield header;
          if (Buffer.isBuffer(body)) {
            size = body.length;
            yield body;
            return;
          }
          for await (const chunk of body) {
            const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string | Uint8Array);
            size += bytes.length;
            yield bytes;
          }
        },
        createWriteStream(temp, { flags: 'wx' }),
      );
      // On disk before it is visible under its name: a crash leaves the old blob or the new, never a torn one.
      const handle = await open(temp, 'r');
      await handle.sync().finally(() => handle.close());
      await this.publish(temp, file);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
    return { size };
  }

  /** Renames the temp file into place; a concurrent delete may remove the empty folder in between, so it is made again. */
  private async publish(temp: string, file: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(file), { recursive: true });
      try {
        await rename(temp, file);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw e;
      }
    }
  }

  private async openBlob(key: string): Promise<{ handle: FileHandle; info: BlobInfo; offset: number } | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.fileOf(key), 'r');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
    try {
      const { size } = await handle.stat();
      const length = Buffer.alloc(4);
      await handle.read(length, 0, 4, 0);
      const headerLength = length.readUInt32BE();
      const header = Buffer.alloc(headerLength);
      await handle.read(header, 0, headerLength, 4);
      const { contentType } = JSON.parse(header.toString('utf8')) as Header;
      const offset = 4 + headerLength;
      return { handle, info: { key, size: size - offset, contentType }, offset };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  async get(key: string): Promise<BlobObject | undefined> {
    const opened = await this.openBlob(key);
    if (!opened) return undefined;
    // The open handle keeps reading the blob it opened even if a put replaces it meanwhile.
    const body = opened.handle.createReadStream({ start: opened.offset, autoClose: true });
    return { ...opened.info, body };
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    const opened = await this.openBlob(key);
    if (!opened) return undefined;
    await opened.handle.close();
    return opened.info;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    const file = this.fileOf(key);
    await rm(file, { force: true });
    // Empty folders left behind are removed up to the root, so deleted prefixes leave nothing to walk.
    for (let dir = dirname(file); dir !== this.root && dir.startsWith(this.root + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }

  async list(prefix: string, options: { limit?: number; after?: string } = {}): Promise<BlobPage> {
    checkBlobPrefix(prefix);
    const limit = listLimit(options.limit);
    // Only the folder the prefix's whole segments name is walked.
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: string[] = [];
    await this.walk(join(this.root, start), keys);
    const after = options.after;
    const matching = keys.filter((k) => k.startsWith(prefix) && (after === undefined || k > after)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const page = matching.slice(0, limit);
    const items: BlobPage['items'] = [];
    for (const key of page) {
      const info = await this.head(key);
      if (info) items.push({ key, size: info.size }); // deleted while listing: left out
    }
    return matching.length > limit ? { items, next: page[page.length - 1]! } : { items };
  }

  private async walk(dir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // the temp folder
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await this.walk(path, out);
      else if (entry.isFile() && entry.name.endsWith(SUFFIX)) out.push(relative(this.root, path).split(sep).join('/').slice(0, -SUFFIX.length));
    }
  }

  async close(): Promise<void> {}
}
