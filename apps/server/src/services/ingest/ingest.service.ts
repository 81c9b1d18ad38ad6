import { timingSafeEqual } from 'node:crypto';
import { checkBatchSelf, checkEvents, batchMac, hexEqual, sha256Hex, type Batch, type BatchBody, type VeritasEvent } from '@veritas/schema';
import type { Database } from '../../db/database';
import { AppError } from '../../errors';
import { findSessionForWrite, type Scope } from '../../repositories/sessions.repository';
import type { GroupCommitOptions } from './group-commit';
import { createIngestCommitter } from './ingest-commit';
import { rethrowUnavailable } from '../database-errors';
import type { IngestMetrics } from '../../metrics';

export interface IngestResult {
  /** Highest contiguous seq stored durably for the session (-1: none). */
  ack: number;
  /** The batch is ahead of a gap and waits (durably) for it to fill. */
  held: boolean;
  /** The batch was already stored: nothing changed. */
  duplicate: boolean;
}


export interface CommittedEvents {
  sessionId: string;
  tenantId: string | null;
  events: VeritasEvent[];
}

/** What a valid write token grants: the session's scope and the key its batch MACs use. */
export interface WriteGrant {
  scope: Scope;
  macKey: string;
}

export interface IngestService {
  /** Authenticates the write token and returns the session's scope, or throws. */
  authorize(sessionId: string, token: string | undefined): Promise<WriteGrant>;
  /** Authenticates, validates a batch, commits it with its group, and answers with the durable ack. */
  submit(sessionId: string, token: string | undefined, body: BatchBody): Promise<IngestResult>;
  /** The same for a caller already authorized (an ingest socket after its hello). */
  submitAuthorized(sessionId: string, grant: WriteGrant, body: BatchBody): Promise<IngestResult>;
  /** Waits for batches already taken to be committed. */
  close(): Promise<void>;
}

/** Cached facts of a session that never change once it exists: who may write, which tenant. */
interface StoredGrant {
  writeKey: string | null;
  tenantId: string | null;
  /** The token last proven to hash to writeKey: the same token again skips the hash (a recorder sends one per batch). */
  provenToken?: string;
}

/** Constant-time equality of two tokens (their length is not secret). */
function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createIngestService(
  database: Database,
  options: GroupCommitOptions,
  metrics: IngestMetrics,
  onCommitted: (batches: CommittedEvents[]) => void = () => {},
): IngestService {
  const grants = new Map<string, StoredGrant>();

  async function grantFor(sessionId: string): Promise<StoredGrant> {
    const cached = grants.get(sessionId);
    if (cached) return cached;
    const row = await findSessionForWrite(database.db, sessionId).catch(rethrowUnavailable);
    if (!row) throw new AppError('not-found', `no session ${sessionId}`);
    const grant = { writeKey: row.write_key, tenantId: row.tenant_id };
    if (grants.size > 50_000) grants.clear(); // bounded: a cache, not a store
    grants.set(sessionId, grant);
    return grant;
  }

  async function authorize(sessionId: string, token: string | undefined): Promise<WriteGrant> {
    if (!token) throw new AppError('missing-token', 'send the write token as "Authorization: Bearer <token>"');
    const grant = await grantFor(sessionId);
    if (!grant.writeKey) throw new AppError('invalid-token');
    if (grant.provenToken === undefined || !sameToken(token, grant.provenToken)) {
      if (!hexEqual(await sha256Hex(token), grant.writeKey)) throw new AppError('invalid-token');
      grant.provenToken = token;
    }
    return { scope: { tenantId: grant.tenantId }, macKey: grant.writeKey };
  }

  const committer = createIngestCommitter(database, options, metrics, (appended) =>
    onCommitted([...appended].map(([sessionId, events]) => ({ sessionId, tenantId: grants.get(sessionId)?.tenantId ?? null, events }))),
  );

  async function submit(sessionId: string, token: string | undefined, body: BatchBody): Promise<IngestResult> {
    let grant: WriteGrant;
    try {
      grant = await authorize(sessionId, token);
    } catch (err) {
      if (err instanceof AppError) metrics.batchRejected(err.code);
      throw err;
    }
    return submitAuthorized(sessionId, grant, body);
  }

  async function submitAuthorized(sessionId: string, { macKey }: WriteGrant, body: BatchBody): Promise<IngestResult> {
    try {
      const checked = checkEvents(body.firstSeq, body.events);
      if (!checked.ok) throw new AppError('invalid-event', checked.issues[0]!.message, { issues: checked.issues });
      const batch: Batch = { firstSeq: body.firstSeq, events: checked.events, prevHash: body.prevHash, hash: body.hash, ...(body.mac ? { mac: body.mac } : {}) };
      const self = await checkBatchSelf(batch);
      if (self) throw new AppError('hash-mismatch', 'the hash is not SHA-256 of the canonical JSON of { events, prevHash }');
      if (batch.mac && !hexEqual(await batchMac(macKey, batch.hash), batch.mac)) throw new AppError('bad-mac');
      const r = await committer.submit({ sessionId, batch });
      if (!r.ok) throw r.error;
      return { ack: r.ack, held: r.held, duplicate: r.duplicate };
    } catch (err) {
      if (err instanceof AppError) metrics.batchRejected(err.code);
      throw err;
    }
  }

  return { authorize, submit, submitAuthorized, close: () => committer.close() };
}
