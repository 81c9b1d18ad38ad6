import { checkEvents, type Batch, type IngestBatchBody } from '@veritas/schema';
import { checkSeal } from './batch-seal';
import type { Database } from '../../platform/db/database';
import { AppError } from '../../kernel/errors';
import type { SessionWriter } from '../../kernel/actor';
import type { GroupCommitOptions } from '../../kernel/group-commit';
import { createIngestCommitter, type CommittedEvents } from './ingest-commit';
import type { IngestMetrics } from '../../platform/metrics/metrics';
import { chainFieldsOf } from './ingest-seal';

export interface IngestResult {
  /** Highest contiguous seq stored durably for the session (-1: none). */
  ack: number;
  /** The batch is ahead of a gap and waits (durably) for it to fill. */
  held: boolean;
  /** The batch was already stored: nothing changed. */
  duplicate: boolean;
}

export type { CommittedEvents } from './ingest-commit';

export interface IngestService {
  /**
   * Validates a batch of the writer's session, commits it with its group, and answers with the
   * durable ack. The writer comes from the access hook (or a socket's hello): no credential check here.
   */
  submit(writer: SessionWriter, body: IngestBatchBody): Promise<IngestResult>;
  /**
   * `submit` in two steps, for a client whose batches must reach the group commit in the order it
   * sent them (the ingest socket): `prepare` checks the batch (events, hash, MAC) and may run
   * alongside others; `commit` puts it in the commit queue at once, when called, and answers the ack.
   */
  prepare(writer: SessionWriter, body: IngestBatchBody): Promise<PreparedBatch>;
  commit(prepared: PreparedBatch): Promise<IngestResult>;
  /** Waits for batches already taken to be committed. */
  close(): Promise<void>;
}

/** A batch checked by `prepare`, for `commit`. */
export interface PreparedBatch {
  readonly sessionId: string;
  readonly batch: Batch;
  /** The writer's key: the commit checks it against the locked session row (a resumed attempt rotates it). */
  readonly macKey: SessionWriter['macKey'];
}

export function createIngestService(
  database: Database,
  options: GroupCommitOptions,
  metrics: IngestMetrics,
  onCommitted: (batches: CommittedEvents[]) => void = () => {},
): IngestService {
  const committer = createIngestCommitter(database, options, metrics, onCommitted);

  const rejected = (err: unknown): never => {
    if (err instanceof AppError) metrics.batchRejected(err.code);
    throw err;
  };

  async function prepare(writer: SessionWriter, body: IngestBatchBody): Promise<PreparedBatch> {
    const { sessionId, macKey } = writer;
    try {
      const checked = checkEvents(body.firstSeq, body.events);
      if (!checked.ok) throw new AppError('invalid-event', `${checked.issues[0]!.path}: ${checked.issues[0]!.message}`, { issues: checked.issues });
      // Client-sealed batches pass through as sent; a server-sealed session's are chained and MACed here (docs/adr/0024).
      const sealed = await chainFieldsOf(database, writer, body, checked.events);
      const batch: Batch = { firstSeq: body.firstSeq, events: checked.events, ...sealed };
      if (writer.sealing === 'server') return { sessionId, batch, macKey };
      // Seqs, hash and MAC, checked synchronously (batch-seal.ts). A session with a write key takes only
      // batches MACed with it (docs/adr/0009-what-the-mac-proves.md).
      const problem = checkSeal(batch, macKey);
      if (problem === 'hash-mismatch') throw new AppError('hash-mismatch', 'the hash is not SHA-256 of the canonical JSON of { events, prevHash }');
      if (problem === 'missing-mac') throw new AppError('missing-mac', 'send mac = HMAC-SHA256(SHA-256(write token), hash) with every batch');
      if (problem === 'bad-mac') throw new AppError('bad-mac');
      return { sessionId, batch, macKey };
    } catch (err) {
      return rejected(err);
    }
  }

  function commit({ sessionId, batch, macKey }: PreparedBatch): Promise<IngestResult> {
    return committer
      .submit({ sessionId, batch, macKey })
      .then((r) => {
        if (!r.ok) throw r.error;
        return { ack: r.ack, held: r.held, duplicate: r.duplicate };
      })
      .catch(rejected);
  }

  return {
    submit: async (writer, body) => commit(await prepare(writer, body)),
    prepare,
    commit,
    close: () => committer.close(),
  };
}
