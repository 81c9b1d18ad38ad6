import type { Command } from '../main';
import { readBundleFile, reportInvalid } from '../bundle-file';

/** Re-checks a bundle offline: format, every event, and the batch chain from its genesis. */
export const verify: Command = {
  summary: 'Check a bundle file: its format, its events and its hash chain, with no server.',
  usage: 'veritas verify <bundle.json>',
  options: {},
  async run({ positionals }) {
    const read = await readBundleFile(positionals[0]);
    if (!read.ok) return reportInvalid(read.issues);
    const { bundle, chain: problem } = read;
    if (problem) {
      console.error(`chain broken: ${problem.code} at batch ${problem.index} (firstSeq ${problem.firstSeq})`);
      return 1;
    }
    const events = bundle.batches.reduce((n, b) => n + b.events.length, 0);
    console.log(`ok: session ${bundle.session.id}, ${bundle.batches.length} batches, ${events} events, chain intact`);
    return 0;
  },
};
