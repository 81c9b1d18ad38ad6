import { checkBatchSelf, checkEvents, batchMac, hexEqual, sha256Hex, type Batch, type BatchBody, type VeritasEvent } from '@veritas/schema';
import type { Database, Db } from '../../db/database';
import { AppError } from '../../errors';
import { findSessionForWrite, lockSessionsForIngest, advanceSessions, type Scope } from '../../repositories/sessions.repository';
import { insertEvents, type EventRow } from '../../repositories/events.repository';
import {
  insertBatches,
  findBatchHash,
  insertHeldBatch,
  deleteHeldBatches,
  listHeldBatches,
  type BatchRow,
} from '../../repositories/batches.repository';
import { GroupCommitter, type GroupCommitOptions } from './group-commit';
import { advance, decide, type HeldBatch, type SessionState } from './ingest-decide';
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

interface Item {
  sessionId: string;
  batch: Batch;
}

type ItemOutcome = { ok: true; held: boolean; duplicate: boolean } | { ok: false; error: AppError };

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
    const key = await sha256Hex(token);
    if (!grant.writeKey || !hexEqual(key, grant.writeKey)) throw new AppError('invalid-token');
    return { scope: { tenantId: grant.tenantId }, macKey: grant.writeKey };
  }

  const committer = new GroupCommitter<Item, ItemOutcome & { ack: number }>(
    options,
    (item) => item.batch.events.length,
    (items) => commitGroup(database.db, items),
    (size, seconds) => metrics.observeGroup(size, seconds),
  );

  async function commitGroup(db: Db, items: Item[]): Promise<(ItemOutcome & { ack: number })[]> {
    const committed: CommittedEvents[] = [];
    const results = await db
      .transaction()
      .execute(async (tx) => {
        const ids = [...new Set(items.map((i) => i.sessionId))];
        const states = new Map<string, SessionState>();
        for (const r of await lockSessionsForIngest(tx, ids)) states.set(r.id, { ...r, status: r.status, changed: false });
        const held = new Map<string, Map<number, HeldBatch>>();
        for (const h of await listHeldBatches(tx, ids)) {
          if (!held.has(h.session_id)) held.set(h.session_id, new Map());
          held.get(h.session_id)!.set(h.first_seq, { firstSeq: h.first_seq, count: h.count, prevHash: h.prev_hash, hash: h.hash, mac: h.mac, events: h.events as VeritasEvent[] });
        }
        const eventRows: EventRow[] = [];
        const batchRows: BatchRow[] = [];
        const newHeld: { sessionId: string; batch: HeldBatch }[] = [];
        const dropHeld = new Map<string, number[]>();
        const appended = new Map<string, VeritasEvent[]>();

        const append = (state: SessionState, b: { firstSeq: number; events: VeritasEvent[]; prevHash: string; hash: string; mac?: string | null }) => {
          for (const e of b.events) eventRows.push({ session_id: state.id, seq: e.seq, t: e.t, type: e.type, data: e.data });
          batchRows.push({ session_id: state.id, first_seq: b.firstSeq, count: b.events.length, prev_hash: b.prevHash, hash: b.hash, mac: b.mac ?? null });
          advance(state, b);
          const list = appended.get(state.id) ?? [];
          list.push(...b.events);
          appended.set(state.id, list);
          // Batches that waited for this gap now follow, if they link.
          const waiting = held.get(state.id);
          let next = waiting?.get(state.next_seq);
          while (waiting && next) {
            waiting.delete(next.firstSeq);
            (dropHeld.get(state.id) ?? dropHeld.set(state.id, []).get(state.id)!).push(next.firstSeq);
            if (next.prevHash !== state.head_hash) break; // can never link: dropped, its sender will hear on resend
            for (const e of next.events) eventRows.push({ session_id: state.id, seq: e.seq, t: e.t, type: e.type, data: e.data });
            batchRows.push({ session_id: state.id, first_seq: next.firstSeq, count: next.count, prev_hash: next.prevHash, hash: next.hash, mac: next.mac });
            advance(state, next);
            list.push(...next.events);
            next = waiting.get(state.next_seq);
          }
        };

        const outcomes: ItemOutcome[] = [];
        for (const item of items) {
          const state = states.get(item.sessionId);
          if (!state) {
            outcomes.push({ ok: false, error: new AppError('not-found', `no session ${item.sessionId}`) });
            continue;
          }
          const d = decide(state, item.batch);
          if (d.kind === 'append') {
            append(state, d.batch);
            outcomes.push({ ok: true, held: false, duplicate: false });
          } else if (d.kind === 'hold') {
            const waiting = held.get(state.id) ?? held.set(state.id, new Map()).get(state.id)!;
            const existing = waiting.get(d.batch.firstSeq);
            if (!existing) {
              const h: HeldBatch = { firstSeq: d.batch.firstSeq, count: d.batch.events.length, prevHash: d.batch.prevHash, hash: d.batch.hash, mac: d.batch.mac ?? null, events: d.batch.events };
              waiting.set(h.firstSeq, h);
              newHeld.push({ sessionId: state.id, batch: h });
              outcomes.push({ ok: true, held: true, duplicate: false });
            } else if (existing.hash === d.batch.hash) {
              outcomes.push({ ok: true, held: true, duplicate: true });
            } else {
              outcomes.push({ ok: false, error: new AppError('seq-conflict', `a different batch at seq ${d.batch.firstSeq} is already waiting`) });
            }
          } else if (d.kind === 'check-stored') {
            const appendedNow = batchRows.find((b) => b.session_id === state.id && b.first_seq === d.batch.firstSeq);
            const stored = appendedNow?.hash ?? (await findBatchHash(tx, state.id, d.batch.firstSeq));
            outcomes.push(
              stored === d.batch.hash
                ? { ok: true, held: false, duplicate: true }
                : { ok: false, error: new AppError('seq-conflict', `seqs from ${d.batch.firstSeq} are stored with different content`) },
            );
          } else {
            outcomes.push({ ok: false, error: d.error });
          }
        }

        await insertEvents(tx, eventRows);
        await insertBatches(tx, batchRows);
        await advanceSessions(
          tx,
          [...states.values()].filter((s) => s.changed).map((s) => ({ id: s.id, next_seq: s.next_seq, head_hash: s.head_hash, last_t: s.last_t })),
        );
        for (const h of newHeld) {
          if (held.get(h.sessionId)?.has(h.batch.firstSeq)) {
            await insertHeldBatch(tx, { session_id: h.sessionId, first_seq: h.batch.firstSeq, count: h.batch.count, prev_hash: h.batch.prevHash, hash: h.batch.hash, mac: h.batch.mac, events: h.batch.events });
          }
        }
        for (const [sid, seqs] of dropHeld) await deleteHeldBatches(tx, sid, seqs);
        for (const [sid, events] of appended) committed.push({ sessionId: sid, tenantId: grants.get(sid)?.tenantId ?? null, events });
        metrics.eventsIngested(eventRows.length);
        return items.map((item, i) => ({ ...outcomes[i]!, ack: (states.get(item.sessionId)?.next_seq ?? 0) - 1 }));
      })
      .catch(rethrowUnavailable);
    if (committed.length > 0) onCommitted(committed);
    return results;
  }

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
