import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { once } from 'node:events';
import { Zip, ZipDeflate } from 'fflate';

/**
 * A zip archive written as a stream (fflate's streaming Zip): files are added one after another,
 * each deflated as its chunks arrive, so a large session's bundle never sits in memory whole. Writing
 * waits while the reader (the blob store) is behind. Counts the bytes and hashes them on the way.
 */
export class ZipWriter {
  readonly stream: Readable;
  private readonly out = new PassThrough();
  private readonly zip: Zip;
  private readonly sha = createHash('sha256');
  private failed: Error | undefined;
  size = 0;

  constructor() {
    this.stream = this.out;
    this.zip = new Zip((err, chunk, final) => {
      if (err) {
        this.failed = err;
        this.out.destroy(err);
        return;
      }
      this.size += chunk.length;
      this.sha.update(chunk);
      this.out.write(chunk);
      if (final) this.out.end();
    });
  }

  /** Adds a file whose content arrives in pieces (strings are UTF-8). */
  async addStream(name: string, pieces: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const file = new ZipDeflate(name, { level: 6 });
    this.zip.add(file);
    const encoder = new TextEncoder();
    for await (const piece of pieces) {
      if (this.failed) throw this.failed;
      file.push(encoder.encode(piece), false);
      if (this.out.writableNeedDrain) await once(this.out, 'drain');
    }
    file.push(new Uint8Array(0), true);
  }

  addJson(name: string, value: unknown): Promise<void> {
    return this.addStream(name, [JSON.stringify(value, null, 2) + '\n']);
  }

  /** Ends the archive (its central directory); the stream ends after it. */
  end(): { size: number; sha256: string } {
    this.zip.end();
    if (this.failed) throw this.failed;
    return { size: this.size, sha256: this.sha.digest('hex') };
  }

  /** Stops writing after a failure: the reader sees the error. */
  abort(err: Error): void {
    this.zip.terminate();
    this.out.destroy(err);
  }
}
