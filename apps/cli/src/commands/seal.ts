import { readFile } from 'node:fs/promises';
import { checkEvents, genesisHash, macKeyFromToken, sealBatch } from '@veritas/schema';
import type { Command } from '../main';

async function readInput(file: string | undefined): Promise<string> {
  if (file && file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Turns a JSON array of events into a sealed batch ready to POST: what the recorder does, for the shell. */
export const seal: Command = {
  summary: 'Seal events into a batch (hash chain, and MAC with the write token) for POST /v1/sessions/{id}/events.',
  usage: 'veritas seal --session ID [--token WRITE_TOKEN] [--prev HASH] [events.json | -]   (prev defaults to the genesis hash)',
  options: { session: { type: 'string' }, token: { type: 'string' }, prev: { type: 'string' } },
  async run({ values, positionals }) {
    const session = values.session;
    if (typeof session !== 'string') throw new Error('--session is required');
    const events = JSON.parse(await readInput(positionals[0]));
    if (!Array.isArray(events) || events.length === 0) throw new Error('give a non-empty JSON array of events');
    const checked = checkEvents(events[0].seq, events);
    if (!checked.ok) throw new Error(checked.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    const prev = typeof values.prev === 'string' ? values.prev : await genesisHash(session);
    const key = typeof values.token === 'string' ? await macKeyFromToken(values.token) : undefined;
    console.log(JSON.stringify(await sealBatch(checked.events, prev, key)));
    return 0;
  },
};
