import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { AppError } from '../../kernel/errors';
import { checkBlobKey, checkBlobPrefix, listLimit, type BlobInfo, type BlobObject, type BlobPage, type BlobStore, type DirectLinkOptions } from './blob-store';

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, Ceph, s3rver …); unset: AWS S3 itself. */
  endpoint?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; most S3-compatible servers need it. */
  forcePathStyle: boolean;
  /** Unset: the SDK's default chain (environment, instance role …). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Where browsers reach the bucket, when not at `endpoint`: download links are signed for this host. */
  publicEndpoint?: string;
}

const isNotFound = (e: unknown) => e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata.httpStatusCode === 404);

/**
 * The store failed (unreachable, refusing, answering 5xx after the SDK's own retries): the typed 503
 * (clients retry), never a 500 for a dependency's failure. A missing object is not a failure (callers
 * see `undefined`); a bad key is refused before any request.
 */
async function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (isNotFound(e) || e instanceof AppError) throw e;
    throw new AppError('storage-unavailable', `the object store failed: ${e instanceof Error ? e.name : 'error'}`);
  }
}

/** The S3-compatible driver (`@aws-sdk/client-s3`), for servers that share storage between instances. */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  /** The client links are signed with: the same, or one for the public endpoint (a signature covers the host). */
  private readonly signer: S3Client;
  private readonly bucket: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    const clientFor = (endpoint: string | undefined) =>
      new S3Client({
        region: options.region,
        forcePathStyle: options.forcePathStyle,
        ...(endpoint ? { endpoint } : {}),
        // A copy: the SDK writes into the credentials object, and the configuration's is frozen.
        ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
        // Checksums only where S3 requires them: many S3-compatible servers do not understand the
        // newer default (CRC32 trailers in aws-chunked bodies).
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    this.client = clientFor(options.endpoint);
    this.signer = options.publicEndpoint ? clientFor(options.publicEndpoint) : this.client;
  }

  /** A presigned GET (signature v4 in the query string), valid `expiresInS` seconds, saved under `fileName`. */
  async directLink(key: string, { expiresInS, fileName, contentType }: DirectLinkOptions): Promise<string> {
    checkBlobKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: `attachment; filename="${fileName.replace(/["\\\r\n]/g, '_')}"`,
      ResponseContentType: contentType,
      ResponseCacheControl: 'private, no-store',
    });
    return getSignedUrl(this.signer, command, { expiresIn: expiresInS });
  }

  async put(key: string, body: Buffer | Readable, options: { contentType: string }): Promise<{ size: number }> {
    checkBlobKey(key);
    if (Buffer.isBuffer(body)) {
      await storeCall(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: options.contentType })));
      return { size: body.length };
    }
    // A stream of unknown length: lib-storage sends it in one request when small, else as a multipart
    // upload (5 MiB parts), which S3 publishes only when complete.
    let size = 0;
    // The body's own failure is the caller's to see as it is (not the store's 503).
    let bodyFailed: { error: unknown } | undefined;
    const counted = Readable.from(
      (async function* () {
        try {
          for await (const chunk of body) {
            const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string | Uint8Array);
            size += bytes.length;
            yield bytes;
          }
        } catch (error) {
          bodyFailed = { error };
          throw error;
        }
      })(),
    );
    try {
      await storeCall(() =>
        new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: counted, ContentType: options.contentType } }).done(),
      );
    } catch (e) {
      if (bodyFailed) throw bodyFailed.error;
      throw e;
    }
    return { size };
  }

  async get(key: string): Promise<BlobObject | undefined> {
    checkBlobKey(key);
    try {
      const out = await storeCall(() => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
      return { key, size: out.ContentLength ?? 0, contentType: out.ContentType ?? 'application/octet-stream', body: out.Body as Readable };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async head(key: string): Promise<BlobInfo | undefined> {
    checkBlobKey(key);
    try {
      const out = await storeCall(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { key, size: out.ContentLength ?? 0, contentType: out.ContentType ?? 'application/octet-stream' };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }

  async delete(key: string): Promise<void> {
    checkBlobKey(key);
    await storeCall(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async list(prefix: string, options: { limit?: number; after?: string } = {}): Promise<BlobPage> {
    checkBlobPrefix(prefix);
    const limit = listLimit(options.limit);
    const out = await storeCall(() =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: limit,
          ...(options.after !== undefined ? { StartAfter: options.after } : {}),
        }),
      ),
    );
    const items = (out.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size ?? 0 }));
    return out.IsTruncated && items.length > 0 ? { items, next: items[items.length - 1]!.key } : { items };
  }

  async close(): Promise<void> {
    this.client.destroy();
    if (this.signer !== this.client) this.signer.destroy();
  }
}
