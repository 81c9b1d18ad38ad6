import { printed } from '../testing/printed';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BUNDLE_FORMAT, batchHash, genesisHash, macKeyFromToken, sealBatch, type VeritasEvent } from '@veritas/schema';
import { verify } from './verify';

const ID = 'abcdefghijklmnopqrst';
const TOKEN = 'the-write-token-of-this-session';
const typing = (text: string): VeritasEvent[] =>
  [...text].map((ch, i) => ({ seq: i, t: i * 100, type: 'text.op', data: { pos: i, del: 0, ins: ch, cause: 'type' } }));

/** A bundle of batches of 3 events, MACed with TOKEN's key. */
async function bundleOf(events: VeritasEvent[]) {
  const key = await macKeyFromToken(TOKEN);
  let prev = await genesisHash(ID);
  const batches = [];
  for (let i = 0; i < events.length; i += 3) {
    const b = await sealBatch(events.slice(i, i + 3), prev, key);
    batches.push(b);
    prev = b.hash;
  }
  return { format: BUNDLE_FORMAT, session: { id: ID, kind: 'writing', createdAt: '2026-01-01T00:00:00Z' }, batches };
}

function file(bundle: unknown): string {
  const f = join(mkdtempSync(join(tmpdir(), 'veritas-verify-')), 'bundle.json');
  writeFileSync(f, JSON.stringify(bundle));
  return f;
}

/** Runs verify and returns its exit code and what it printed. */
async function run(values: Record<string, string>, path: string) {
  return printed(() => verify.run({ values, positionals: [path] }));
}

describe('veritas verify --key', () => {
  it('passes a sound bundle with the write token or the MAC key, and says when MACs were not checked', async () => {
    const f = file(await bundleOf(typing('honest writing')));
    expect(await run({ key: TOKEN }, f)).toMatchObject({ code: 0, text: expect.stringContaining('every MAC matches the key') });
    expect((await run({ key: TOKEN }, f)).text).toContain('client-sealed: 5 batches, seq 0–13 (hashed and MACed by the writer, MACs checked)');
    expect(await run({ key: await macKeyFromToken(TOKEN) }, f)).toMatchObject({ code: 0 });
    expect(await run({}, f)).toMatchObject({ code: 0, text: expect.stringContaining('MACs not checked (5 of 5 batches carry one') });
  });

  it('fails a bundle whose events were replaced and re-chained keeping the old MACs', async () => {
    const bundle = await bundleOf(typing('honest writing'));
    const forged = typing('forged writing');
    // Replace the events, rebuild every hash from the genesis so the chain is intact, keep each old MAC.
    let prev = await genesisHash(ID);
    for (const [i, b] of bundle.batches.entries()) {
      b.events = forged.slice(i * 3, i * 3 + 3);
      b.prevHash = prev;
      b.hash = await batchHash(b.events, prev);
      prev = b.hash;
    }
    const f = file(bundle);
    expect((await run({}, f)).code).toBe(0); // the chain alone cannot tell
    expect(await run({ key: TOKEN }, f)).toMatchObject({ code: 1, text: 'MAC check failed: batch 0 (firstSeq 0) has a MAC that does not match the key' });
  });

  it('fails a bundle whose MACs were stripped, and one checked with the wrong key', async () => {
    const bundle = await bundleOf(typing('honest writing'));
    const stripped = { ...bundle, batches: bundle.batches.map(({ mac: _mac, ...b }) => b) };
    expect(await run({ key: TOKEN }, file(stripped))).toMatchObject({ code: 1, text: expect.stringContaining('batch 0 (firstSeq 0) has no MAC') });
    expect((await run({ key: 'another-token' }, file(bundle))).code).toBe(1);
  });
});
