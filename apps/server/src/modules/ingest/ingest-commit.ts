import type { VeritasEvent } from '@veritas/schema';
import { ingestDb, type Database, type Db } from '../../platform/db/database';
import { AppError } from '../../kernel/errors';
import type { IngestMetrics } from '../../platform/metrics/metrics';
import { rethrowUnavailable } from '../../platform/db/database-errors';
import { GroupCommitter, type GroupCommitOptions } from '../../kernel/group-commit';
import { IngestGroup, type GroupItem, type ItemOutcome } from './ingest-group';

export type CommitOutcome = ItemOutcome & { ack: number };

/** Events one commit stored for a session, with the session's tenant as the committed rows have it. */
export interface CommittedEvents {
  sessionId: string;
  tenantId: string | null;
  events: VeritasEvent[];
}

export interface IngestCommitter {
  /** Commits a validated batch with its group; a batch the database refuses fails alone, as 'invalid-event'. */
  submit(item: GroupItem): Promise<CommitOutcome>;
  close(): Promise<void>;
}

/**
 * SQLSTATE classes that mean the database refused the data it was given, not that it failed:
 * 22 data exception (U+0000 or a lone surrogate in jsonb, a number out of range), 23 integrity
 * constraint violation, 54 program limit exceeded (nesting too deep). Such an error is some batch's
 * own fault, so the group is split until that batch fails alone.
 */
export function isRefusedInput(err: unknown): boolean {
  if (err instanceof AppError || !err || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

/**
 * The ingest's group committer: gathers validated batches of many sessions into one transaction.
 * `onCommitted` hears the events each commit appended, per session with its tenant as the locked rows
 * have it, only after that commit.
 */
export function createIngestCommitter(
  database: Database,
  options: GroupCommitOptions,
  metrics: IngestMetrics,
  onCommitted: (committed: CommittedEvents[]) => void,
): IngestCommitter {
  async function commitGroup(db: Db, items: GroupItem[]): Promise<CommitOutcome[]> {
    let committed: CommittedEvents[] = [];
    const results = await db
      .transaction()
      .execute(async (tx) => {
        const group = await IngestGroup.open(tx, [...new Set(items.map((i) => i.sessionId))]);
        const outcomes: ItemOutcome[] = [];
        for (const item of items) outcomes.push(await group.add(item));
        await group.persist();
        metrics.eventsIngested(group.eventCount);
        committed = [...group.appended].map(([sessionId, events]) => ({ sessionId, tenantId: group.tenantOf(sessionId), events }));
        return items.map((item, i) => ({ ...outcomes[i]!, ack: group.ack(item.sessionId) }));
      })
      .catch(rethrowUnavailable);
    // Only after the commit: the live side never hears of events that were not stored.
    if (committed.length > 0) onCommitted(committed);
    return results;
  }

  const committer = new GroupCommitter<GroupItem, CommitOutcome>(
    { ...options, isolate: isRefusedInput },
    (item) => item.batch.events.length,
    (items) => commitGroup(ingestDb(database), items),
    (size, seconds) => metrics.observeGroup(size, seconds),
  );

  return {
    submit: (item) =>
      committer.submit(item).catch((err: unknown) => {
        if (!isRefusedInput(err)) throw err;
        throw new AppError('invalid-event', `the database refused this batch: ${(err as Error).message}`);
      }),
    close: () => committer.close(),
  };
}
