import { createAuditService, type ChainReport } from '@veritas/server';
import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

/** One line per chain: how many entries hold, and the first that does not, with why. */
export function describeChain(r: ChainReport): string {
  // A chain the audit retention cut starts after its anchor: its entries count from there.
  if (r.ok) return `${r.chain}: ${r.entries} entries${r.from === undefined ? '' : ` from entry ${r.from}`}, ok`;
  return `${r.chain}: BROKEN at entry ${r.broken!.seq}: ${r.broken!.reason} (${r.entries} entries before it hold)`;
}

const USAGE = 'veritas audit verify [--data DIR] [--chain NAME]';

export const audit: Command = {
  summary: 'Check the audit trail: every hash chain (one per tenant, and "public"), entry by entry. Exits 1 when any chain is broken.',
  usage: USAGE,
  options: { data: { type: 'string' }, chain: { type: 'string' } },
  async run({ values, positionals }) {
    if (positionals.length !== 1 || positionals[0] !== 'verify') {
      console.error(`veritas audit: expected "verify"\nUsage: ${USAGE}`);
      return 2;
    }
    const config = configFromFlags(values);
    const chain = typeof values.chain === 'string' ? values.chain : undefined;
    const reports = await withMigratedDatabase(config, (database) => createAuditService(database).verify(chain));
    console.log(`audit trail of ${describeStorage(config)}`);
    for (const r of reports) console.log(describeChain(r));
    const broken = reports.filter((r) => !r.ok).length;
    if (reports.length === 0) console.log('no audit entries yet');
    else console.log(broken === 0 ? `${reports.length} chain(s), all ok` : `${broken} of ${reports.length} chain(s) broken`);
    return broken === 0 ? 0 : 1;
  },
};
