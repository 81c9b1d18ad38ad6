import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { sha256HexSync } from './sha256';

describe('sha256HexSync (the clipboard hash, taken synchronously)', () => {
  it('is SHA-256 of the UTF-8 bytes, for lengths across block boundaries and any characters', () => {
    const texts = ['', 'abc', 'é😀\n\u0000', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'The quick brown fox '.repeat(200)];
    for (let n = 0; n < 50; n++) texts.push(String.fromCharCode(...Array.from({ length: n * 7 }, (_, i) => 32 + ((i * 31 + n) % 2000))));
    for (const t of texts) expect(sha256HexSync(t), JSON.stringify(t.slice(0, 20))).toBe(createHash('sha256').update(t, 'utf8').digest('hex'));
  });
});
