import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobKeyError, type BlobStore } from './blob-store';

/** A blob driver under test and how to tidy up after it. */
export interface BlobHarness {
  store: BlobStore;
  close(): Promise<void>;
}

/** The one contract every blob store driver passes. */
export function blobStoreContract(driver: string, makeHarness: () => Promise<BlobHarness>): void {
  describe(`blob store contract: ${driver}`, () => {
    let h: BlobHarness;
    let store: BlobStore;
    // Every test writes under its own prefix, so tests do not see each other's keys.
    const space = () => `t-${randomBytes(4).toString('hex')}`;

    beforeAll(async () => {
      h = await makeHarness();
      store = h.store;
    });
    afterAll(async () => {
      await h?.store.close();
      await h?.close();
    });

    it('stores a Buffer and gives it back as a stream, with its size and content type', async () => {
      const key = `${space()}/bundles/session-1.json`;
      const body = Buffer.from(JSON.stringify({ hello: 'world', n: 1 }));
      expect(await store.put(key, body, { contentType: 'application/json' })).toEqual({ size: body.length });
      const got = await store.get(key);
      expect(got).toMatchObject({ key, size: body.length, contentType: 'application/json' });
      expect(await buffer(got!.body)).toEqual(body);
      expect(await store.head(key)).toEqual({ key, size: body.length, contentType: 'application/json' });
      expect(await store.exists(key)).toBe(true);
    });

    it('stores a stream of unknown length, larger than one S3 multipart part, byte for byte', async () => {
      const key = `${space()}/exports/big.bin`;
      const chunks = Array.from({ length: 13 }, () => randomBytes(512 * 1024)); // 6.5 MiB
      const expected = Buffer.concat(chunks);
      const { size } = await store.put(key, Readable.from(chunks), { contentType: 'application/octet-stream' });
      expect(size).toBe(expected.length);
      const got = await store.get(key);
      expect(got?.size).toBe(expected.length);
      expect((await buffer(got!.body)).equals(expected)).toBe(true);
    });

    it('stores an empty body', async () => {
      const key = `${space()}/empty`;
      await store.put(key, Buffer.alloc(0), { contentType: 'text/plain' });
      expect(await store.head(key)).toEqual({ key, size: 0, contentType: 'text/plain' });
      expect((await buffer((await store.get(key))!.body)).length).toBe(0);
    });

    it('replaces a key: the new body and content type', async () => {
      const key = `${space()}/report.html`;
      await store.put(key, Buffer.from('first version, longer'), { contentType: 'text/plain' });
      await store.put(key, Buffer.from('<p>second</p>'), { contentType: 'text/html' });
      const got = await store.get(key);
      expect(got).toMatchObject({ size: 13, contentType: 'text/html' });
      expect((await buffer(got!.body)).toString()).toBe('<p>second</p>');
    });

    it('leaves the previous body when the stream of a put fails part way', async () => {
      const key = `${space()}/atomic`;
      await store.put(key, Buffer.from('old body'), { contentType: 'text/plain' });
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('partial new body');
          throw new Error('client went away');
        })(),
      );
      await expect(store.put(key, failing, { contentType: 'text/html' })).rejects.toThrow('client went away');
      const got = await store.get(key);
      expect(got).toMatchObject({ size: 8, contentType: 'text/plain' });
      expect((await buffer(got!.body)).toString()).toBe('old body');
    });

    it('answers undefined / false for a missing key', async () => {
      const key = `${space()}/missing`;
      expect(await store.get(key)).toBeUndefined();
      expect(await store.head(key)).toBeUndefined();
      expect(await store.exists(key)).toBe(false);
    });

    it('deletes a key, and deleting it again (or a key never stored) is not an error', async () => {
      const key = `${space()}/gone`;
      await store.put(key, Buffer.from('x'), { contentType: 'text/plain' });
      await store.delete(key);
      expect(await store.exists(key)).toBe(false);
      expect(await store.get(key)).toBeUndefined();
      await expect(store.delete(key)).resolves.toBeUndefined();
      await expect(store.delete(`${space()}/never`)).resolves.toBeUndefined();
    });

    it('keeps a key and the keys below it apart (a and a/b)', async () => {
      const s = space();
      await store.put(`${s}/a`, Buffer.from('A'), { contentType: 'text/plain' });
      await store.put(`${s}/a/b`, Buffer.from('AB'), { contentType: 'text/plain' });
      expect((await buffer((await store.get(`${s}/a`))!.body)).toString()).toBe('A');
      expect((await buffer((await store.get(`${s}/a/b`))!.body)).toString()).toBe('AB');
      await store.delete(`${s}/a/b`);
      expect(await store.exists(`${s}/a`)).toBe(true);
    });

    it('lists by prefix in key order, paged with `after`', async () => {
      const s = space();
      const keys = [`${s}/x/3`, `${s}/x/1`, `${s}/x/2/deep`, `${s}/x/10`, `${s}/xy`, `${s}/y/1`];
      for (const [i, key] of keys.entries()) await store.put(key, Buffer.alloc(i + 1), { contentType: 'application/octet-stream' });
      const all = await store.list(`${s}/x`);
      expect(all).toEqual({
        items: [
          { key: `${s}/x/1`, size: 2 },
          { key: `${s}/x/10`, size: 4 },
          { key: `${s}/x/2/deep`, size: 3 },
          { key: `${s}/x/3`, size: 1 },
          { key: `${s}/xy`, size: 5 },
        ],
      });
      const folder = await store.list(`${s}/x/`, { limit: 2 });
      expect(folder.items.map((i) => i.key)).toEqual([`${s}/x/1`, `${s}/x/10`]);
      expect(folder.next).toBe(`${s}/x/10`);
      const rest = await store.list(`${s}/x/`, { limit: 2, after: folder.next! });
      expect(rest).toEqual({
        items: [
          { key: `${s}/x/2/deep`, size: 3 },
          { key: `${s}/x/3`, size: 1 },
        ],
      });
      expect(await store.list(`${s}/nothing/`)).toEqual({ items: [] });
    });

    it('refuses unsafe keys with a clear error, before touching storage', async () => {
      const bad = ['', '/abs', 'a/../b', '..', 'a/./b', 'trailing/', 'a//b', '.hidden', 'a/.hidden', 'a\\b', 'sp ace', 'ünï', 'a~', 'x'.repeat(513)];
      for (const key of bad) {
        await expect(store.put(key, Buffer.from('x'), { contentType: 'text/plain' }), key).rejects.toThrow(BlobKeyError);
        await expect(store.get(key), key).rejects.toThrow(BlobKeyError);
        await expect(store.head(key), key).rejects.toThrow(BlobKeyError);
        await expect(store.delete(key), key).rejects.toThrow(BlobKeyError);
      }
      await expect(store.get('a/../b')).rejects.toThrow(/invalid blob key "a\/\.\.\/b"/);
      await expect(store.list('../')).rejects.toThrow(BlobKeyError);
      await expect(store.list('/a')).rejects.toThrow(BlobKeyError);
      await expect(store.list('', { limit: 0 })).rejects.toThrow(RangeError);
    });
  });
}
