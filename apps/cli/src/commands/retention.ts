import { createAuditService, createBlobStore, createRetentionService, forgetSessionFiles, type SweepReport } from '@veritas/server';
import { withMigratedDatabase } from '../with-database';
import type { Command } from '../main';
import { configFromFlags, describeStorage } from './serve';

const USAGE = 'veritas retention [--dry-run] [--data DIR]';

/** One line per session and kind of data, then a total. */
export function describeSweep(report: SweepReport): string[] {
  const verb = report.dryRun ? 'would purge' : 'purged';
  const lines = report.items.map(
    (i) => `${verb} ${i.what.padEnd(8)} of session ${i.sessionId} (tenant ${i.tenantId}, ended ${i.endedAt}, kept ${i.policyDays} days)`,
  );
  const total = report.dryRun
    ? `${report.items.length} purge(s) due; nothing deleted (dry run)`
    : `${report.items.length} purge(s), ${report.rowsDeleted} row(s) deleted, with ${report.filesDeleted} stored file(s)`;
  return [...lines, report.items.length === 0 ? 'nothing has expired' : total];
}

export const retention: Command = {
  summary:
    "Apply each institution's retention policy now: purge raw data and analyses past their days, except under a legal hold (the server's worker does this hourly). --dry-run lists what would go and deletes nothing.",
  usage: USAGE,
  options: { data: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  async run({ values, positionals }) {
    if (positionals.length > 0) {
      console.error(`veritas retention: unexpected "${positionals[0]}"\nUsage: ${USAGE}`);
      return 2;
    }
    const config = configFromFlags(values);
    const dryRun = values['dry-run'] === true;
    const blobs = await createBlobStore(config);
    const files = { forgetFiles: (tenantId: string, sessionId: string, part?: 'raw' | 'analysis') => forgetSessionFiles(blobs, tenantId, sessionId, part) };
    const report = await withMigratedDatabase(config, (database) =>
      createRetentionService(database, createAuditService(database), files).sweep({ dryRun, requestId: 'cli' }),
    ).finally(() => blobs.close());
    console.log(`retention on ${describeStorage(config)}`);
    for (const line of describeSweep(report)) console.log(line);
    return 0;
  },
};
