import { macKeyFromToken, verifyChain } from '@veritas/schema';
import type { Command } from '../main';
import { readBundleFile, reportInvalid } from '../bundle-file';

/** The MAC key from --key: the write token, or the key itself (64 hex digits, SHA-256 of the token, as the server keeps it). */
async function macKeyOf(key: string): Promise<string> {
  return /^[0-9a-f]{64}$/.test(key) ? key : macKeyFromToken(key);
}

/**
 * Re-checks a bundle offline: format, every event, and the batch chain from its genesis; with
 * --key, every batch's MAC too, which is what shows the chain was sealed by the write token's
 * holder and not rebuilt by someone else (docs/adr/0009-what-the-mac-proves.md).
 */
export const verify: Command = {
  summary: "Check a bundle file: its format, its events and its hash chain, with no server; with --key, every batch's MAC.",
  usage: 'veritas verify <bundle.json> [--key WRITE_TOKEN | --key MAC_KEY_HEX]',
  options: { key: { type: 'string' } },
  async run({ values, positionals }) {
    const read = await readBundleFile(positionals[0]);
    if (!read.ok) return reportInvalid(read.issues);
    const { bundle, chain: problem } = read;
    if (problem) {
      console.error(`chain broken: ${problem.code} at batch ${problem.index} (firstSeq ${problem.firstSeq})`);
      return 1;
    }
    const events = bundle.batches.reduce((n, b) => n + b.events.length, 0);
    const withMac = bundle.batches.filter((b) => b.mac !== undefined).length;
    let macs: string;
    if (typeof values.key === 'string') {
      const macProblem = await verifyChain(bundle.session.id, bundle.batches, await macKeyOf(values.key));
      if (macProblem) {
        const what =
          macProblem.code === 'missing-mac' ? 'has no MAC' : macProblem.code === 'bad-mac' ? 'has a MAC that does not match the key' : macProblem.code;
        console.error(`MAC check failed: batch ${macProblem.index} (firstSeq ${macProblem.firstSeq}) ${what}`);
        return 1;
      }
      macs = `every MAC matches the key`;
    } else {
      macs = `MACs not checked (${withMac} of ${bundle.batches.length} batches carry one; --key checks them)`;
    }
    console.log(`ok: session ${bundle.session.id}, ${bundle.batches.length} batches, ${events} events, chain intact, ${macs}`);
    return 0;
  },
};
