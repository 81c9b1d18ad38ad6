import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config';
import { AppError, PROBLEMS } from '../../kernel/errors';
import { blobStoreContract } from './blob.contract';
import { createBlobStore } from './create-blob-store';
import { FileBlobStore } from './file-blob-store';
import { S3BlobStore } from './s3-blob-store';
import { startS3TestServer } from './s3-test-server';

const tempDir = () => mkdtemp(join(tmpdir(), 'veritas-blob-'));

blobStoreContract('filesystem', async () => {
  const dir = await tempDir();
  return { store: new FileBlobStore(dir), close: () => rm(dir, { recursive: true, force: true }) };
});

// A real S3-compatible server (s3rver), started here in its own process on a free port of 127.0.0.1.
blobStoreContract('S3 (s3rver)', async () => {
  const server = await startS3TestServer();
  const store = new S3BlobStore({
    endpoint: server.endpoint,
    region: 'us-east-1',
    bucket: server.bucket,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  return { store, close: () => server.stop() };
});

describe('the filesystem blob store', () => {
  it('writes through a temp file: nothing is left in the temp folder, after a success or a failed stream', async () => {
    const dir = await tempDir();
    try {
      const store = new FileBlobStore(dir);
      await store.put('a/b', Buffer.from('x'), { contentType: 'text/plain' });
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('y');
          throw new Error('broken');
        })(),
      );
      await expect(store.put('a/c', failing, { contentType: 'text/plain' })).rejects.toThrow('broken');
      expect(await readdir(join(dir, '.tmp'))).toEqual([]);
      expect(await store.exists('a/c')).toBe(false);
      expect(await store.list('')).toEqual({ items: [{ key: 'a/b', size: 1 }] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes folders a delete leaves empty', async () => {
    const dir = await tempDir();
    try {
      const store = new FileBlobStore(dir);
      await store.put('p/q/r', Buffer.from('x'), { contentType: 'text/plain' });
      await store.delete('p/q/r');
      expect((await readdir(dir)).filter((n) => n !== '.tmp')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The S3 store createBlobStore makes from the loaded (frozen) configuration of a test server. */
const s3StoreOf = (server: Awaited<ReturnType<typeof startS3TestServer>>) =>
  createBlobStore(
    loadConfig({
      VERITAS_BLOB_DRIVER: 's3',
      VERITAS_S3_BUCKET: server.bucket,
      VERITAS_S3_ENDPOINT: server.endpoint,
      VERITAS_S3_ACCESS_KEY_ID: server.accessKeyId,
      VERITAS_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    }),
  );

describe('createBlobStore', () => {
  it('makes an S3 store that works from the loaded (frozen) configuration, and presigns links the bucket honours until they expire', async () => {
    const server = await startS3TestServer('veritas-frozen');
    const store = await s3StoreOf(server);
    try {
      await store.put('a/b.csv', Buffer.from('x,y\r\n'), { contentType: 'text/csv' });
      expect((await buffer((await store.get('a/b.csv'))!.body)).toString()).toBe('x,y\r\n');
      const url = await store.directLink!('a/b.csv', { expiresInS: 3, fileName: 'b "1".csv', contentType: 'text/csv' });
      const got = await fetch(url);
      expect(got.status).toBe(200);
      expect(await got.text()).toBe('x,y\r\n');
      await new Promise((r) => setTimeout(r, 4500));
      expect((await fetch(url)).status).toBe(403);
    } finally {
      await store.close();
      await server.stop();
    }
  }, 30_000);

  it('answers a store that went away with the typed 503 (storage-unavailable) on every call, never an untyped error', async () => {
    const server = await startS3TestServer('veritas-gone');
    const store = await s3StoreOf(server);
    try {
      await store.put('k/1', Buffer.from('1'), { contentType: 'text/plain' });
      await server.stop();
      const calls: [string, () => Promise<unknown>][] = [
        ['get', () => store.get('k/1')],
        ['head', () => store.head('k/1')],
        ['put', () => store.put('k/2', Buffer.from('2'), { contentType: 'text/plain' })],
        ['put a stream', () => store.put('k/3', Readable.from([Buffer.from('3')]), { contentType: 'text/plain' })],
        ['list', () => store.list('k/')],
        ['delete', () => store.delete('k/1')],
      ];
      for (const [name, call] of calls) {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(AppError);
        expect((err as AppError).code, name).toBe('storage-unavailable');
        expect(PROBLEMS[(err as AppError).code].status, name).toBe(503);
      }
    } finally {
      await store.close();
    }
  }, 60_000);

  it('chooses the filesystem under the data folder by default, S3 with VERITAS_BLOB_DRIVER=s3', async () => {
    const fs = await createBlobStore(loadConfig({ VERITAS_DATA_DIR: '/srv/veritas' }));
    expect(fs).toBeInstanceOf(FileBlobStore);
    expect((fs as FileBlobStore).root).toBe('/srv/veritas/blobs');
    const s3 = await createBlobStore(
      loadConfig({ VERITAS_BLOB_DRIVER: 's3', VERITAS_S3_BUCKET: 'veritas-blobs', VERITAS_S3_ENDPOINT: 'http://127.0.0.1:9000' }),
    );
    expect(s3).toBeInstanceOf(S3BlobStore);
    await s3.close();
  });
});
