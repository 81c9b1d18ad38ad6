import { describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { batchMac, macKeyFromToken, verifyChain } from '@veritas/schema';
import { seal } from './seal';

describe('veritas seal', () => {
  it('seals events into the first batch of a session chain, with a MAC', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'veritas-seal-')), 'events.json');
    writeFileSync(file, JSON.stringify([{ seq: 0, t: 0, type: 'mark', data: { label: 'start' } }]));
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await seal.run({ values: { session: 'abcdefghijklmnop', token: 'tok' }, positionals: [file] })).toBe(0);
    const batch = JSON.parse(out.mock.calls[0]![0] as string);
    out.mockRestore();
    expect(await verifyChain('abcdefghijklmnop', [batch])).toBeNull();
    expect(batch.mac).toBe(await batchMac(await macKeyFromToken('tok'), batch.hash));
  });

  it('refuses invalid events with their path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'veritas-seal-')), 'events.json');
    writeFileSync(file, JSON.stringify([{ seq: 0, t: 0, type: 'mark', data: {} }]));
    await expect(seal.run({ values: { session: 'abcdefghijklmnop' }, positionals: [file] })).rejects.toThrow('/events/0/data');
  });
});
