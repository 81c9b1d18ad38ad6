import { macKeyFromToken, verifyChain } from '@veritas/schema';
import type { Command } from '../main';
import { readBundleFile, reportInvalid } from '../bundle-file';
import { checkCertificate } from './verify-certificate';
import { sealingReport } from './verify-sealing';

/** The MAC key from --key: the write token, or the key itself (64 hex digits, SHA-256 of the token, as the server keeps it). */
async function macKeyOf(key: string): Promise<string> {
  return /^[0-9a-f]{64}$/.test(key) ? key : macKeyFromToken(key);
}

const USAGE =
  'veritas verify <bundle.json> [--key WRITE_TOKEN | --key MAC_KEY_HEX] [--certificate cert.jws --jwks jwks.json [--analysis analysis.json] [--revoked revoked.json]]';

/**
 * Re-checks a bundle offline: format, every event, and the batch chain from its genesis; with
 * --key, every batch's MAC too, which is what shows the chain was sealed by the write token's
 * holder and not rebuilt by someone else (docs/adr/0009-what-the-mac-proves.md); with --certificate
 * and --jwks, that the server signed a certificate naming this chain (docs/adr/0016-certificates.md).
 * Exit codes: 0 everything given holds, 1 something does not, 2 the command was misused.
 */
export const verify: Command = {
  summary:
    "Check a bundle file: its format, its events and its hash chain, with no server; with --key, every batch's MAC; with --certificate and --jwks, the server's signed certificate of it (and with --analysis, the analysis it names; with --revoked, a saved revocation list).",
  usage: USAGE,
  options: { key: { type: 'string' }, certificate: { type: 'string' }, jwks: { type: 'string' }, analysis: { type: 'string' }, revoked: { type: 'string' } },
  async run({ values, positionals }) {
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const [certificate, jwks, analysis, revoked] = [str(values.certificate), str(values.jwks), str(values.analysis), str(values.revoked)];
    if ((certificate === undefined) !== (jwks === undefined) || ((analysis !== undefined || revoked !== undefined) && certificate === undefined)) {
      console.error(`veritas verify: --certificate and --jwks go together, and --analysis and --revoked need them\nUsage: ${USAGE}`);
      return 2;
    }
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
    let certified = '';
    if (certificate !== undefined && jwks !== undefined) {
      const outcome = await checkCertificate(bundle, { certificate, jwks, ...(analysis ? { analysis } : {}), ...(revoked ? { revoked } : {}) });
      if (!outcome.ok) {
        for (const p of outcome.problems) console.error(p);
        return 1;
      }
      certified = `; ${outcome.summary}`;
    }
    console.log(`ok: session ${bundle.session.id}, ${bundle.batches.length} batches, ${events} events, chain intact, ${macs}${certified}`);
    // Who sealed which batches: only client-sealed ones carry the writer's own tamper evidence (docs/adr/0024).
    for (const line of sealingReport(bundle.batches, typeof values.key === 'string')) console.log(line);
    return 0;
  },
};
