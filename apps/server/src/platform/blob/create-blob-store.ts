import type { Config } from '../../config/config';
import type { BlobStore } from './blob-store';
import { FileBlobStore } from './file-blob-store';
import { S3BlobStore } from './s3-blob-store';

/** The configured blob store: a folder on the embedded default, an S3-compatible bucket with VERITAS_BLOB_DRIVER=s3. */
export function createBlobStore(config: Pick<Config, 'blob'>): BlobStore {
  const blob = config.blob;
  if (blob.driver === 's3') return new S3BlobStore(blob.s3);
  return new FileBlobStore(blob.dir);
}
