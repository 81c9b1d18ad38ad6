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
  const audit = report.audit.flatMap((a) => describeAuditExpiry(a, report.dryRun));
  const nothing = report.items.length === 0 && report.audit.length === 0;
  return [...lines, ...audit, nothing ? 'nothing has expired' : total];
}

/** A tenant's audit entries that went (or would go): the range, then in a dry run each entry. */
function describeAuditExpiry(a: SweepReport['audit'][number], dryRun: boolean): string[] {
  const held = a.heldFrom === null ? '' : `; stopped before entry ${a.heldFrom}, under a legal hold`;
  const head = `${dryRun ? 'would purge' : 'purged'} audit entries ${a.fromSeq}–${a.throughSeq} of tenant ${a.tenantId} (${a.entries} entries, written ${a.oldestAt} to ${a.newestAt}, kept ${a.policyDays} days${held})`;
  const listed = (a.listed ?? []).map((e) => `  audit entry ${e.seq} ${e.at} ${e.action} ${e.resource}`);
  const more = a.listed && a.entries > a.listed.length ? [`  … and ${a.entries - a.listed.length} more`] : [];
  return [head, ...listed, ...more];
}

export const retention: Command = {
  summary:
    "Apply each institution's retention policy now: purge raw data, analyses and audit entries past their days, except under a legal hold (the server's worker does this hourly). --dry-run lists what would go, audit entries one by one, and deletes nothing.",
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
    const report = await withMigratedDatabase(config, async (database) => {
      const audit = createAuditService(database);
      const swept = await createRetentionService(database, audit, files).sweep({ dryRun, requestId: 'cli' });
      // The purges' entries are linked into their chains now, not by a server's sweep later (ADR 0033).
      await audit.linkPending();
      await audit.stop();
      return swept;
    }).finally(() => blobs.close());
    console.log(`retention on ${describeStorage(config)}`);
    for (const line of describeSweep(report)) console.log(line);
    return 0;
  },
};
