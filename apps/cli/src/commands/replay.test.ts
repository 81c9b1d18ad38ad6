import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FORMAT, genesisHash, sealBatch, type VeritasEvent } from '@veritas/schema';
import { parseAt, replay } from './replay';

const SID = 'replaytestsession01';
let dir: string;
let file: string;

/** "Hello" typed over 4 s, then " world" pasted at 10 s, then "!" at 20 s, sealed in two batches. */
async function writeBundle(path: string): Promise<void> {
  const events: VeritasEvent[] = [];
  const add = (t: number, type: VeritasEvent['type'], data: unknown) => events.push({ seq: events.length, t, type, data } as VeritasEvent);
  [...'Hello'].forEach((ch, i) => add(i * 1000, 'text.op', { pos: i, del: 0, ins: ch, cause: 'type' }));
  add(10_000, 'clipboard', { action: 'paste', len: 6, hash: 'f'.repeat(16) });
  add(10_001, 'text.op', { pos: 5, del: 0, ins: ' world', cause: 'paste' });
  add(20_000, 'text.op', { pos: 11, del: 0, ins: '!', cause: 'type' });
  const b1 = await sealBatch(events.slice(0, 4), await genesisHash(SID));
  const b2 = await sealBatch(events.slice(4), b1.hash);
  const bundle = {
    format: BUNDLE_FORMAT,
    session: { id: SID, kind: 'writing', createdAt: '2026-01-01T00:00:00.000Z', meta: { initialText: '' } },
    batches: [b1, b2],
  };
  await writeFile(path, JSON.stringify(bundle));
}

async function run(args: Record<string, string | boolean>) {
  const out: string[] = [];
  const err: string[] = [];
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(console, 'error').mockImplementation((s) => void err.push(String(s)));
  try {
    const code = await replay.run({ values: args, positionals: [file] });
    return { code, out: out.join(''), err: err.join('\n') };
  } finally {
    w.mockRestore();
    e.mockRestore();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veritas-replay-'));
  file = join(dir, 'bundle.json');
  await writeBundle(file);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('veritas replay', () => {
  it('prints the text at a percentage of the session, at a time, at a seq, and at the end', async () => {
    expect((await run({ at: '50%' })).out).toBe('Hello\n'); // 10 s: the paste lands 1 ms later
    expect((await run({ at: '51%' })).out).toBe('Hello world\n');
    expect((await run({ at: '9%' })).out).toBe('He\n');
    expect((await run({ at: '2.5s' })).out).toBe('Hel\n');
    expect((await run({ at: '0%' })).out).toBe('H\n');
    expect((await run({ seq: '2' })).out).toBe('Hel\n');
    expect((await run({ seq: '-1' })).out).toBe('');
    const end = await run({ origins: true });
    expect(end.code).toBe(0);
    expect(end.out).toBe('Hello world!\n');
    expect(end.err).toContain('seq 7 of 7');
    expect(end.err).toContain('typed 6, paste-external 6');
  });

  it('refuses bad positions and warns about a broken chain', async () => {
    await expect(run({ at: 'half' })).rejects.toThrow(/percentage/);
    await expect(run({ at: '150%' })).rejects.toThrow(/at most 100%/);
    await expect(run({ seq: 'x' })).rejects.toThrow(/integer/);
    await expect(run({ seq: '1', at: '5%' })).rejects.toThrow(/not both/);
    const { readFile } = await import('node:fs/promises');
    const tampered = JSON.parse(await readFile(file, 'utf8'));
    tampered.batches[1].events[2].data.ins = '?';
    const bad = join(dir, 'tampered.json');
    await writeFile(bad, JSON.stringify(tampered));
    const saved = file;
    file = bad;
    try {
      const r = await run({});
      expect(r.out).toBe('Hello?!\n');
      expect(r.err).toContain('chain broken (hash-mismatch at batch 1)');
    } finally {
      file = saved;
    }
  });

  it('reads --at units', () => {
    expect(parseAt('50%')).toEqual({ fraction: 0.5 });
    expect(parseAt('12.5s')).toEqual({ ms: 12_500 });
    expect(parseAt('1500ms')).toEqual({ ms: 1500 });
    expect(parseAt('2m')).toEqual({ ms: 120_000 });
    expect(parseAt('3')).toEqual({ ms: 3000 });
  });
});
