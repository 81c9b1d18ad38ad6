import { readFile } from 'node:fs/promises';
import { parseBundle, verifyChain } from '@veritas/schema';
import type { Command } from '../main';

/** Re-checks a bundle offline: format, every event, and the batch chain from its genesis. */
export const verify: Command = {
  summary: 'Check a bundle file: its format, its events and its hash chain, with no server.',
  usage: 'veritas verify <bundle.json>',
  options: {},
  async run({ positionals }) {
    const file = positionals[0];
    if (!file) throw new Error('give a bundle file');
    const parsed = parseBundle(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.ok) {
      for (const i of parsed.issues) console.error(`invalid: ${i.path || '/'} ${i.message}`);
      return 1;
    }
    const { bundle } = parsed;
    const problem = await verifyChain(bundle.session.id, bundle.batches);
    if (problem) {
      console.error(`chain broken: ${problem.code} at batch ${problem.index} (firstSeq ${problem.firstSeq})`);
      return 1;
    }
    const events = bundle.batches.reduce((n, b) => n + b.events.length, 0);
    console.log(`ok: session ${bundle.session.id}, ${bundle.batches.length} batches, ${events} events, chain intact`);
    return 0;
  },
};
