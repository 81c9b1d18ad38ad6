import { printed } from '../testing/printed';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { BUNDLE_FORMAT, batchHash, genesisHash, macKeyFromToken, serverSealMac, type VeritasEvent } from '@veritas/schema';
import { verify } from './verify';

/** `veritas verify` on a server-sealed session's bundle (docs/adr/0024-server-sealed-sessions.md). */
const ID = 'serverSealedSession01';
const TOKEN = 'the-write-token-of-a-server-sealed-session';
const metrics = (n: number): VeritasEvent[] =>
  Array.from({ length: n }, (_, i) => ({ seq: i, t: i * 2000, type: 'metrics', data: { values: { engagement: i / n } } }) as VeritasEvent);

/** Batches of 2 events chained and MACed as the server seals them. */
async function serverSealed(events: VeritasEvent[]) {
  const key = await macKeyFromToken(TOKEN);
  let prevHash = await genesisHash(ID);
  const batches = [];
  for (let i = 0; i < events.length; i += 2) {
    const slice = events.slice(i, i + 2);
    const hash = await batchHash(slice, prevHash);
    batches.push({ firstSeq: i, events: slice, prevHash, hash, mac: await serverSealMac(key, hash), sealedBy: 'server' as const });
    prevHash = hash;
  }
  return { format: BUNDLE_FORMAT, session: { id: ID, kind: 'proctoring', createdAt: '2026-01-01T00:00:00Z', sealing: 'server' }, batches };
}

function file(bundle: unknown): string {
  const f = join(mkdtempSync(join(tmpdir(), 'veritas-verify-sealing-')), 'bundle.json');
  writeFileSync(f, JSON.stringify(bundle));
  return f;
}
const run = (values: Record<string, string>, path: string) => printed(() => verify.run({ values, positionals: [path] }));

describe('veritas verify on a server-sealed bundle', () => {
  it('passes with the key and says which batches the server sealed, and that they carry no tamper evidence of the client', async () => {
    const f = file(await serverSealed(metrics(6)));
    const r = await run({ key: TOKEN }, f);
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain('every MAC matches the key');
    expect(r.text).toMatch(/server-sealed: 3 batches, seq 0–5 \(chained by the server .*no tamper evidence of the client's own; server MACs checked\)/);
    expect(r.text).not.toContain('client-sealed:');
    const unchecked = await run({}, f);
    expect(unchecked.text).toMatch(/server-sealed: 3 batches, seq 0–5/);
    expect(unchecked.text).not.toContain('MACs checked)');
  });

  it('fails a batch relabelled as client-sealed (the label is bound by its MAC), and refuses a bundle whose labels disagree with its session', async () => {
    const bundle = await serverSealed(metrics(4));
    const relabelled = { ...bundle, session: { ...bundle.session, sealing: undefined }, batches: bundle.batches.map(({ sealedBy: _, ...b }) => b) };
    const r = await run({ key: TOKEN }, file(relabelled));
    expect(r).toMatchObject({ code: 1, text: 'MAC check failed: batch 0 (firstSeq 0) has a MAC that does not match the key' });
    const mixed = { ...bundle, batches: [bundle.batches[0], (({ sealedBy: _, ...b }) => b)(bundle.batches[1]!)] };
    const m = await run({ key: TOKEN }, file(mixed));
    expect(m.code).toBe(1);
    expect(m.text).toMatch(/batches\/1\/sealedBy/);
  });
});
