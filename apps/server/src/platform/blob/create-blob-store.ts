import type { Config } from '../../config/config';
import type { BlobStore } from './blob-store';
import { FileBlobStore } from './file-blob-store';

/**
 * The configured blob store: a folder on the embedded default, an S3-compatible bucket with
 * VERITAS_BLOB_DRIVER=s3. The S3 driver is imported only when chosen, so the embedded server never
 * loads the AWS SDK.
 */
export async function createBlobStore(config: Pick<Config, 'blob'>): Promise<BlobStore> {
  const blob = config.blob;
  if (blob.driver === 's3') {
    const { S3BlobStore } = await import('./s3-blob-store');
    return new S3BlobStore(blob.s3);
  }
  return new FileBlobStore(blob.dir);
}
